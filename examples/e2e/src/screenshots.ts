import fs from 'node:fs';
import path from 'node:path';
import { Locator, Page } from 'playwright-core';

// Run from source through yarn scripts and never bundled, so __dirname is stable.
// eslint-disable-next-line no-restricted-syntax
const OUTPUT_DIR = path.resolve(__dirname, '../output');

/** PNG screenshots of one run under examples/e2e/output/<run>/, replacing the previous run's. */
export class Screenshots {
  readonly dir: string;
  readonly paths: string[] = [];

  constructor(run: string) {
    this.dir = path.join(OUTPUT_DIR, run);
    fs.rmSync(this.dir, { recursive: true, force: true });
    fs.mkdirSync(this.dir, { recursive: true });
  }

  async take(
    target: Page | Locator,
    name: string,
    options: { fullPage?: boolean } = {},
  ): Promise<string> {
    const file = path.join(
      this.dir,
      `${String(this.paths.length + 1).padStart(2, '0')}-${name}.png`,
    );
    if ('goto' in target) {
      await target.screenshot({ path: file, fullPage: options.fullPage });
    } else {
      await target.screenshot({ path: file });
    }
    this.paths.push(file);
    return file;
  }
}
