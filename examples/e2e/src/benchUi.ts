/*
 * yarn bench:ui: in headless Chromium against the example app (production bundle), the time from
 * navigating to a demo service's entity page until its ML service card shows health (warm, median
 * of 10), and the frontend plugin's bundle size, minified and gzipped.
 */
import {
  exitWhenDone,
  startLocalDemo,
  stopEverythingOnShutdown,
} from '@internal/local-demo';
import { freePort, signalExitCode } from '@internal/local-processes';
import { launchChromium, signInAsGuest } from './browser';
import { pluginBundleSize } from './pluginBundleSize';

const RUNS = 10;
const WARM_UP_RUNS = 2;
const ENTITY_PATH = '/catalog/default/component/churn-model';

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? sorted[middle]
    : (sorted[middle - 1] + sorted[middle]) / 2;
}

async function timeToCardHealth(): Promise<number[]> {
  const demo = await startLocalDemo({
    frontend: 'bundle',
    backendPort: await freePort(),
  });
  const browser = await launchChromium();
  try {
    const page =
      browser.context.pages()[0] ?? (await browser.context.newPage());
    page.setDefaultTimeout(30_000);
    await signInAsGuest(page, demo.appUrl);
    const timings: number[] = [];
    for (let run = 0; run < WARM_UP_RUNS + RUNS; run++) {
      const started = performance.now();
      await page.goto(`${demo.appUrl}${ENTITY_PATH}`, { waitUntil: 'commit' });
      await page
        .locator('.MuiCard-root')
        .filter({ hasText: /Model churn-model/ })
        .getByText('Healthy')
        .first()
        .waitFor();
      if (run >= WARM_UP_RUNS) {
        timings.push(performance.now() - started);
      }
    }
    return timings;
  } finally {
    await browser.close();
    await demo.stop();
  }
}

async function main() {
  stopEverythingOnShutdown({ exitCode: signalExitCode });
  const bundle = await pluginBundleSize();
  const timings = await timeToCardHealth();
  const ms = (value: number) => `${Math.round(value)} ms`;
  process.stdout.write(
    [
      '',
      `navigation → ML service card shows health (warm, ${RUNS} runs): median ${ms(
        median(timings),
      )}` +
        ` (min ${ms(Math.min(...timings))}, max ${ms(
          Math.max(...timings),
        )}); goal ≤ 1500 ms`,
      `frontend plugin bundle (own code + mlops-common, minified): ${kb(
        bundle.gzipped,
      )} gzipped` + ` (${kb(bundle.minified)} uncompressed); goal ≤ 150 KB`,
      '',
    ].join('\n'),
  );
}

exitWhenDone(main());
