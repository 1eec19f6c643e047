/*
 * A fleet of fake model endpoints for `yarn bench:fleet`, run in its own
 * process: endpoint i is http://127.0.0.1:<port>/m/<i>, answers every Open
 * Inference Protocol health/metadata call after LATENCY_MS, and every
 * FAILING_EVERY-th endpoint answers 503 (0: none fail). `PUT /control?failingEvery=N`
 * changes that while running. Prints the port on stdout once listening.
 */
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';

const LATENCY_MS = Number(process.env.LATENCY_MS ?? 100);
let failingEvery = Number(process.env.FAILING_EVERY ?? 10);

const metadata = (name: string) =>
  JSON.stringify({
    name,
    versions: ['1'],
    platform: 'sklearn',
    inputs: [{ name: 'input-0', datatype: 'FP64', shape: [-1, 30] }],
    outputs: [{ name: 'output-0', datatype: 'INT64', shape: [-1] }],
  });

const server = createServer((req, res) => {
  const control = /^\/control\?failingEvery=(\d+)$/.exec(req.url ?? '');
  if (req.method === 'PUT' && control) {
    failingEvery = Number(control[1]);
    res.writeHead(204).end();
    return;
  }
  const match = /^\/m\/(\d+)(\/.*)$/.exec(req.url ?? '');
  setTimeout(() => {
    if (!match) {
      res.writeHead(404).end();
      return;
    }
    const index = Number(match[1]);
    if (failingEvery > 0 && index % failingEvery === 0) {
      res.writeHead(503, { 'content-type': 'application/json' }).end('{}');
      return;
    }
    const path = match[2];
    const body = /^\/v2\/models\/[^/]+$/.test(path)
      ? metadata(path.split('/')[3])
      : '{"live":true,"ready":true}';
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  }, LATENCY_MS);
});
server.maxConnections = 10_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${(server.address() as AddressInfo).port}\n`);
});
