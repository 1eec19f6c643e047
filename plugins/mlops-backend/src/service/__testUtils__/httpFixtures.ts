import {
  createServer,
  IncomingHttpHeaders,
  IncomingMessage,
  Server,
  ServerResponse,
} from 'node:http';
import { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface FixtureServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  received: ReceivedRequest[];
  close(): Promise<void>;
}

export type FixtureHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  body: string,
) => void;

/** Starts a real HTTP server on 127.0.0.1 that records every request it got. */
export async function startFixture(
  handler: FixtureHandler,
): Promise<FixtureServer> {
  const received: ReceivedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', chunk => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body,
      });
      handler(req, res, body);
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    received,
    close: () =>
      new Promise(resolve => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * The fixtures of one test file: `start` is {@link startFixture}, and
 * `closeAll` (in `afterEach`) closes every fixture started since.
 */
export function fixtureServers(): {
  start(handler: FixtureHandler): Promise<FixtureServer>;
  closeAll(): Promise<void>;
} {
  const servers: FixtureServer[] = [];
  return {
    async start(handler) {
      const server = await startFixture(handler);
      servers.push(server);
      return server;
    },
    async closeAll() {
      await Promise.all(servers.splice(0).map(s => s.close()));
    },
  };
}

export function sendJson(res: ServerResponse, status: number, body: unknown) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(text);
}

export interface V2FixtureOptions {
  modelName: string;
  liveStatus?: number;
  readyStatus?: number;
  modelReadyStatus?: number;
  /** Replaces the metadata body, e.g. with malformed JSON. */
  metadataBody?: string;
}

/** Minimal Open Inference Protocol V2 server: health, model ready, metadata. */
export function v2Handler(options: V2FixtureOptions): FixtureHandler {
  const metadata = {
    name: options.modelName,
    versions: ['1'],
    platform: 'sklearn',
    inputs: [{ name: 'input-0', datatype: 'FP32', shape: [-1, 4] }],
    outputs: [{ name: 'output-0', datatype: 'INT64', shape: [-1] }],
  };
  return (req, res, body) => {
    const model = `/v2/models/${options.modelName}`;
    switch (req.url) {
      case '/v2/health/live':
        sendJson(res, options.liveStatus ?? 200, { live: true });
        return;
      case '/v2/health/ready':
        sendJson(res, options.readyStatus ?? 200, { ready: true });
        return;
      case `${model}/ready`:
        sendJson(res, options.modelReadyStatus ?? 200, {
          name: options.modelName,
          ready: (options.modelReadyStatus ?? 200) === 200,
        });
        return;
      case model:
        sendJson(res, 200, options.metadataBody ?? metadata);
        return;
      case `${model}/infer`:
        sendJson(res, 200, inferAnswer(options.modelName, body));
        return;
      default:
        sendJson(res, 404, { error: 'not found' });
    }
  };
}

/**
 * A V2 infer answer that depends on the request: one output row per input
 * row, holding the row's sum, so tests can tell the body was forwarded.
 */
function inferAnswer(modelName: string, body: string): unknown {
  const request = JSON.parse(body) as {
    inputs: { data: number[]; shape: number[] }[];
  };
  const [input] = request.inputs;
  const [rows, columns] = input.shape;
  const sums = Array.from({ length: rows }, (_, row) =>
    input.data
      .slice(row * columns, (row + 1) * columns)
      .reduce((a, b) => a + b, 0),
  );
  return {
    model_name: modelName,
    outputs: [
      { name: 'output-0', datatype: 'FP64', shape: [rows], data: sums },
    ],
  };
}

/** Minimal KServe V1 server: `GET /v1/models/{m}` and `:predict` (row sums). */
export function v1Handler(modelName: string, ready = true): FixtureHandler {
  return (req, res, body) => {
    if (req.url === `/v1/models/${modelName}`) {
      sendJson(res, 200, { name: modelName, ready });
      return;
    }
    if (req.url === `/v1/models/${modelName}:predict`) {
      const { instances } = JSON.parse(body) as { instances: number[][] };
      sendJson(res, 200, {
        predictions: instances.map(row => row.reduce((a, b) => a + b, 0)),
      });
      return;
    }
    sendJson(res, 404, { error: 'not found' });
  };
}

/** Answers after `delayMs`, long after any sensible probe timeout. */
export function slowHandler(delayMs: number): FixtureHandler {
  return (_req, res) => {
    const timer = setTimeout(() => sendJson(res, 200, { live: true }), delayMs);
    res.on('close', () => clearTimeout(timer));
  };
}

/** Streams `bytes` of JSON-looking data, declared up front or chunked. */
export function hugeHandler(
  bytes: number,
  declareLength: boolean,
): FixtureHandler {
  return (_req, res) => {
    res.writeHead(200, {
      'content-type': 'application/json',
      ...(declareLength ? { 'content-length': String(bytes) } : {}),
    });
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let sent = 0;
    const pump = () => {
      while (sent < bytes) {
        sent += chunk.length;
        if (!res.write(chunk)) {
          res.once('drain', pump);
          return;
        }
      }
      res.end();
    };
    res.on('error', () => {});
    pump();
  };
}

/** Drops the connection without answering. */
export const resetHandler: FixtureHandler = req => {
  req.socket.destroy();
};

export function redirectHandler(
  location: string,
  status = 302,
): FixtureHandler {
  return (_req, res) => {
    res.writeHead(status, { location });
    res.end();
  };
}
