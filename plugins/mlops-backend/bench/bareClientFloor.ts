/*
 * The floor of `yarn bench:fleet`'s probe cycle, run in its own process: a
 * bare undici client (`request`, one shared Agent, no guard, no store, no
 * catalog) probing the same fixture fleet in the prober's shape — 50
 * workers, each calling ready, model ready and live of one endpoint at once
 * and taking the next endpoint when all three answered. Runs CYCLES cycles
 * back to back in one process, so the JIT warm-up of a fresh process shows,
 * and prints as JSON each cycle's time and the mean time of its ready calls
 * to healthy endpoints (what the prober stores as a healthy endpoint's
 * latency), in milliseconds.
 */
import { Agent, request } from 'undici';
import { v2Paths } from '../src/service/protocol/inferencePaths';

const [port, endpointsArg, concurrencyArg, cyclesArg, failingEveryArg] =
  process.argv.slice(2);
const endpoints = Number(endpointsArg);
const concurrency = Number(concurrencyArg);
const cycles = Number(cyclesArg);
const failingEvery = Number(failingEveryArg);
const agent = new Agent();
const paths = v2Paths('m');

/** The call's time in milliseconds, its body read. */
async function get(path: string): Promise<number> {
  const started = performance.now();
  const response = await request(`http://127.0.0.1:${port}${path}`, {
    dispatcher: agent,
  });
  await response.body.arrayBuffer();
  return performance.now() - started;
}

async function cycle(): Promise<{ ms: number; meanReadyMs: number }> {
  const started = performance.now();
  const healthyReadyMs: number[] = [];
  let next = 0;
  const worker = async () => {
    while (next < endpoints) {
      const index = next++;
      const endpoint = `/m/${index}`;
      const [readyMs] = await Promise.all([
        get(`${endpoint}${paths.ready}`),
        get(`${endpoint}${paths.modelReady}`),
        get(`${endpoint}${paths.live}`),
      ]);
      if (index % failingEvery !== 0) healthyReadyMs.push(readyMs);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const ms = performance.now() - started;
  const sum = healthyReadyMs.reduce((total, x) => total + x, 0);
  return { ms, meanReadyMs: sum / healthyReadyMs.length };
}

async function main() {
  const results: Array<{ ms: number; meanReadyMs: number }> = [];
  for (let i = 0; i < cycles; i++) results.push(await cycle());
  await agent.close();
  process.stdout.write(`${JSON.stringify(results)}\n`);
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
