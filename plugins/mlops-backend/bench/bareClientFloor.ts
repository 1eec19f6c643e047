/*
 * The floor of `yarn bench:fleet`'s probe cycle, run in a fresh process of
 * its own: the bare client of bareClient.ts probing the fixture fleet for
 * CYCLES cycles back to back, so the JIT warm-up of a fresh process shows.
 * Prints each cycle's time and the mean time of its ready calls to healthy
 * endpoints (what the prober stores as a healthy endpoint's latency) and the
 * process's CPU time over it, in milliseconds, as JSON.
 */
import { runBareClientCycles } from './bareClient';

const [port, endpoints, concurrency, cycles, failingEvery] = process.argv
  .slice(2)
  .map(Number);

runBareClientCycles(
  { port, endpoints, concurrency, failingEvery },
  cycles,
).then(
  results => process.stdout.write(`${JSON.stringify(results)}\n`),
  error => {
    console.error(error);
    process.exit(1);
  },
);
