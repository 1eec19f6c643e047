/*
 * The floor of `yarn bench:fleet`'s probe cycle, run in its own process: a
 * bare undici client (`request`, one shared Agent, no guard, no store, no
 * catalog) probing the same fixture fleet in the prober's shape — 50
 * workers, each calling ready, model ready and live of one endpoint at once
 * and taking the next endpoint when all three answered. Runs CYCLES cycles
 * back to back in one process, so the JIT warm-up of a fresh process shows,
 * and prints their times in milliseconds as JSON.
 */
import { Agent, request } from 'undici';
import { v2Paths } from '../src/service/protocol/inferencePaths';

const [port, endpointsArg, concurrencyArg, cyclesArg] = process.argv.slice(2);
const endpoints = Number(endpointsArg);
const concurrency = Number(concurrencyArg);
const cycles = Number(cyclesArg);
const agent = new Agent();
const paths = v2Paths('m');

async function get(path: string): Promise<void> {
  const response = await request(`http://127.0.0.1:${port}${path}`, {
    dispatcher: agent,
  });
  await response.body.arrayBuffer();
}

async function cycle(): Promise<number> {
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < endpoints) {
      const endpoint = `/m/${next++}`;
      await Promise.all([
        get(`${endpoint}${paths.ready}`),
        get(`${endpoint}${paths.modelReady}`),
        get(`${endpoint}${paths.live}`),
      ]);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return performance.now() - started;
}

async function main() {
  const times: number[] = [];
  for (let i = 0; i < cycles; i++) times.push(Math.round(await cycle()));
  await agent.close();
  process.stdout.write(`${JSON.stringify(times)}\n`);
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
