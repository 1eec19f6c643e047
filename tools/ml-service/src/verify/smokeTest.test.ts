/*
 * The deploy workflow's smoke test (.github/scripts/smoke_test.py of the skeleton), run with the
 * machine's Python against a local stand-in for the load balancer: what it retries, what fails at
 * once, and that it names the service's host while connecting elsewhere.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { skeletonScript } from './skeletonScripts';

const SCRIPT = skeletonScript('smoke_test.py');

// Each test starts Python (one also openssl): on a two-core CI machine busy with the other
// suites, starting them alone has taken several seconds, past Jest's default of 5.
jest.setTimeout(60_000);

type Handler = (
  request: http.IncomingMessage,
  body: string,
) => { status: number; body?: unknown };

/** A stand-in ALB: records each request's method, path and Host header; HTTPS with `tls`. */
async function standIn(handler: Handler, tls?: { key: Buffer; cert: Buffer }) {
  const seen: string[] = [];
  const listener: http.RequestListener = (request, response) => {
    let body = '';
    request.on('data', chunk => {
      body += chunk;
    });
    request.on('end', () => {
      seen.push(
        `${request.method} ${request.url} host=${request.headers.host}`,
      );
      const answer = handler(request, body);
      response.writeHead(answer.status, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify(answer.body ?? {}));
    });
  };
  const server = tls
    ? https.createServer(tls, listener)
    : http.createServer(listener);
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    seen,
    close: () => new Promise<void>(resolve => server.close(() => resolve())),
  };
}

function runSmoke(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ code: number | null; output: string; seconds: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn('python3', [SCRIPT, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env,
    });
    let output = '';
    child.stdout.on('data', chunk => {
      output += chunk;
    });
    child.stderr.on('data', chunk => {
      output += chunk;
    });
    child.on('error', reject);
    child.on('close', code =>
      resolve({ code, output, seconds: (Date.now() - started) / 1000 }),
    );
  });
}

const METADATA = {
  name: 'svc',
  inputs: [{ name: 'input-0', datatype: 'FP64', shape: [-1, 3] }],
};

/** A model server behind the stand-in, answering after `unhealthy` 503s (no target yet). */
function modelServer(unhealthy = 0, inferStatus = 200): Handler {
  let remaining = unhealthy;
  return (request, body) => {
    if (remaining > 0) {
      remaining -= 1;
      return { status: 503 };
    }
    if (request.url === '/v2/health/ready') {
      return { status: 200 };
    }
    if (request.url === '/v2/models/svc') {
      return { status: 200, body: METADATA };
    }
    if (request.url === '/v2/models/svc/infer' && request.method === 'POST') {
      const input = JSON.parse(body).inputs[0];
      return input.shape[1] === 3 && input.data.length === 3
        ? {
            status: inferStatus,
            body: { outputs: [{ name: 'label', data: [1] }] },
          }
        : { status: 400 };
    }
    return { status: 404 };
  };
}

describe('deploy smoke test (smoke_test.py)', () => {
  it('retries 503 from the load balancer, then checks ready, metadata and one inference, naming the service host', async () => {
    const alb = await standIn(modelServer(2));
    try {
      const result = await runSmoke([
        '--url',
        `http://svc.example.test:${alb.port}`,
        '--connect-to',
        '127.0.0.1',
        '--model',
        'svc',
        '--retry-seconds',
        '0.1',
        '--timeout-seconds',
        '20',
      ]);
      expect(result.output).toContain('answered 503 (no healthy target yet)');
      expect(result.code).toBe(0);
      expect(alb.seen.slice(2)).toEqual([
        `GET /v2/health/ready host=svc.example.test`,
        `GET /v2/models/svc host=svc.example.test`,
        `POST /v2/models/svc/infer host=svc.example.test`,
      ]);
    } finally {
      await alb.close();
    }
  });

  it('fails at once on an answer retrying cannot fix', async () => {
    const alb = await standIn(modelServer(0, 500));
    try {
      const result = await runSmoke([
        '--url',
        `http://127.0.0.1:${alb.port}`,
        '--model',
        'svc',
        '--retry-seconds',
        '30',
      ]);
      expect(result.code).toBe(1);
      expect(result.output).toMatch(
        /::error::smoke test through http:\/\/127\.0\.0\.1:\d+ failed: POST \/v2\/models\/svc\/infer answered 500/,
      );
      expect(result.seconds).toBeLessThan(15);
    } finally {
      await alb.close();
    }
  });

  it('gives up at the deadline while nothing answers, with a GitHub error line', async () => {
    const alb = await standIn(modelServer());
    const { port } = alb;
    await alb.close();
    const result = await runSmoke([
      '--url',
      `http://127.0.0.1:${port}`,
      '--model',
      'svc',
      '--retry-seconds',
      '0.2',
      '--timeout-seconds',
      '1',
    ]);
    expect(result.code).toBe(1);
    expect(result.output).toMatch(
      /::error::smoke test .* not reachable in time: no connection to 127\.0\.0\.1/,
    );
  });

  it('checks the certificate against the service host while connecting to the load balancer', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'smoke-tls-'));
    try {
      const key = path.join(dir, 'key.pem');
      const cert = path.join(dir, 'cert.pem');
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:prime256v1',
          '-nodes',
          '-days',
          '1',
          '-subj',
          '/CN=svc.example.test',
          '-addext',
          'subjectAltName=DNS:svc.example.test',
          '-keyout',
          key,
          '-out',
          cert,
        ],
        { stdio: 'ignore' },
      );
      const alb = await standIn(modelServer(), {
        key: await fs.readFile(key),
        cert: await fs.readFile(cert),
      });
      // The stand-in's certificate is the only one trusted, as ACM's would be through the system roots.
      const env = { ...process.env, SSL_CERT_FILE: cert };
      const run = (host: string) =>
        runSmoke(
          [
            '--url',
            `https://${host}:${alb.port}`,
            '--connect-to',
            '127.0.0.1',
            '--model',
            'svc',
            '--retry-seconds',
            '30',
          ],
          env,
        );
      try {
        const matching = await run('svc.example.test');
        expect(matching.code).toBe(0);
        const other = await run('other.example.test');
        expect(other.code).toBe(1);
        expect(other.output).toMatch(
          /::error::.*TLS with other\.example\.test failed: .*[Hh]ostname mismatch/,
        );
        expect(other.seconds).toBeLessThan(15);
      } finally {
        await alb.close();
      }
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
