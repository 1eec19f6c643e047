/**
 * How long a test waits for the fleet page's first render. Loading the
 * page's code (a lazy import under the new frontend system) and rendering its
 * catalog table take seconds when every core is busy, as in a full CI run:
 * over testing-library's default of 1 s. Tests check what the page shows, not
 * how fast it shows it.
 */
export const FIRST_RENDER_MS = 15_000;

/** A test's own time limit when it waits for a first render. */
export const FIRST_RENDER_TEST_MS = 30_000;
