/*
 * Open-loop HTTP load for `yarn bench:fleet`, run in its own process: sends
 * GET requests at a fixed rate (not waiting for answers, so a slow server
 * cannot lower the offered load) and prints the latencies as JSON.
 */
import { Agent, request } from 'node:http';

const [url, token, rpsArg, secondsArg] = process.argv.slice(2);
const rps = Number(rpsArg);
const seconds = Number(secondsArg);
const agent = new Agent({ keepAlive: true, maxSockets: 256 });

function once(): Promise<{ ms: number; status: number }> {
  const started = performance.now();
  return new Promise(resolve => {
    const req = request(
      url,
      { agent, headers: { authorization: `Bearer ${token}` } },
      res => {
        res.resume();
        res.on('end', () =>
          resolve({
            ms: performance.now() - started,
            status: res.statusCode ?? 0,
          }),
        );
      },
    );
    req.on('error', () =>
      resolve({ ms: performance.now() - started, status: 0 }),
    );
    req.end();
  });
}

async function main() {
  const total = rps * seconds;
  const results: Promise<{ ms: number; status: number }>[] = [];
  const start = performance.now();
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rps;
    const wait = due - performance.now();
    if (wait > 0) await new Promise(r => setTimeout(r, wait));
    results.push(once());
  }
  const done = await Promise.all(results);
  const elapsed = (performance.now() - start) / 1000;
  process.stdout.write(
    `${JSON.stringify({
      elapsedSeconds: elapsed,
      latenciesMs: done.map(d => d.ms),
      errors: done.filter(d => d.status !== 200).length,
    })}\n`,
  );
  agent.destroy();
}

main();
