import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  BrowserContext,
  chromium,
  ConsoleMessage,
  Page,
} from 'playwright-core';

/** Chromium from the system (Debian's package): this project never downloads a browser. */
function chromiumPath(): string {
  if (process.env.CHROMIUM_PATH) {
    return process.env.CHROMIUM_PATH;
  }
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      return execFileSync('sh', ['-c', `command -v ${name}`], {
        encoding: 'utf8',
      }).trim();
    } catch {
      // try the next name
    }
  }
  throw new Error(
    'Chromium is not installed: run .ci/ensure-chromium.sh (or set CHROMIUM_PATH)',
  );
}

/** Headless Chromium with a fresh profile; `close()` also deletes the profile. */
export async function launchChromium(): Promise<{
  context: BrowserContext;
  close(): Promise<void>;
}> {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath(),
    headless: true,
    viewport: { width: 1400, height: 900 },
    // The test's own shutdown closes the browser after stopping the demo; Playwright's handlers
    // would exit the process on SIGINT before that stop is done.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Browser console errors and uncaught page errors. Nothing is allowed: the
 * app runs without a network beyond this machine, so no external noise
 * reaches the console; add an entry here only for such noise, with a reason.
 */
const ALLOWED_CONSOLE_ERRORS: RegExp[] = [];

export class ConsoleErrors {
  readonly errors: string[] = [];

  watch(page: Page) {
    page.on('console', (message: ConsoleMessage) => {
      if (
        message.type() === 'error' &&
        !ALLOWED_CONSOLE_ERRORS.some(allowed => allowed.test(message.text()))
      ) {
        this.errors.push(`${page.url()}: ${message.text()}`);
      }
    });
    page.on('pageerror', error =>
      this.errors.push(`${page.url()}: uncaught ${error.stack ?? error}`),
    );
  }
}

/** Signs in with the guest provider on the app's sign-in page. */
export async function signInAsGuest(page: Page, appUrl: string) {
  await page.goto(appUrl);
  await page.getByRole('button', { name: 'Enter' }).click();
  await page.getByRole('link', { name: 'Catalog' }).first().waitFor();
}
