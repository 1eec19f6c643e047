/*
 * The deploy workflow's smoke test (.github/scripts/smoke_test.py of the skeleton), run with the
 * machine's Python against a local stand-in for the load balancer: what it retries, what fails at
 * once, and that it names the service's host while connecting elsewhere.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ACMClient, ImportCertificateCommand } from '@aws-sdk/client-acm';
import yaml from 'yaml';
import {
  MOTO_CREDENTIALS,
  MotoServer,
  startMotoServer,
} from '@internal/moto-server';
import { exec } from './exec';
import {
  issueWithPrivateCa,
  selfSignedCertificate,
} from '@internal/test-certificates';
import { awsCliEnvironment, skeletonScript } from './skeletonScripts';

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

/** The smoke test over HTTPS naming `host`, connecting to the stand-in on 127.0.0.1:`port`. */
function smokeOverTls(
  port: number,
  host: string,
  extra: string[] = [],
  env?: NodeJS.ProcessEnv,
) {
  return runSmoke(
    [
      '--url',
      `https://${host}:${port}`,
      '--connect-to',
      '127.0.0.1',
      '--model',
      'svc',
      '--retry-seconds',
      '30',
      ...extra,
    ],
    env,
  );
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
      const { cert, key } = await selfSignedCertificate(
        ['svc.example.test'],
        1,
      );
      const certFile = path.join(dir, 'cert.pem');
      await fs.writeFile(certFile, cert);
      const alb = await standIn(modelServer(), { key, cert });
      // The stand-in's certificate is the only one trusted, as ACM's would be through the system roots.
      const env = { ...process.env, SSL_CERT_FILE: certFile };
      const run = (host: string) => smokeOverTls(alb.port, host, [], env);
      try {
        const matching = await run('svc.example.test');
        expect(matching.code).toBe(0);
        expect(matching.output).toMatch(
          /^::warning::the certificate svc\.example\.test serves expires on \d{4}-\d\d-\d\d \d\d:\d\d UTC \(within a day\): if it is imported, import its renewal under the same ARN/m,
        );
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

  it("trusts the certificate's chain given with --ca-pem, as a private CA's certificate needs", async () => {
    const issued = await issueWithPrivateCa('svc.example.test');
    const alb = await standIn(modelServer(), {
      key: Buffer.from(issued.keyPem),
      cert: Buffer.from(issued.certPem),
    });
    const run = (host: string, extra: string[] = []) =>
      smokeOverTls(alb.port, host, extra);
    try {
      const withoutChain = await run('svc.example.test');
      expect(withoutChain.code).toBe(1);
      expect(withoutChain.output).toMatch(
        /::error::.*TLS with svc\.example\.test failed: .*certificate verify failed/,
      );

      const withChain = await run('svc.example.test', [
        '--ca-pem',
        issued.caPem,
      ]);
      expect(withChain.output).toContain('smoke test passed');
      expect(withChain.code).toBe(0);

      // The chain widens trust, never the name check.
      const otherHost = await run('other.example.test', [
        '--ca-pem',
        issued.caPem,
      ]);
      expect(otherHost.code).toBe(1);
      expect(otherHost.output).toMatch(/[Hh]ostname mismatch/);

      const notPem = await run('svc.example.test', ['--ca-pem', 'None']);
      expect(notPem.code).toBe(1);
      expect(notPem.output).toMatch(
        /::error::.*--ca-pem holds no PEM certificate/,
      );
    } finally {
      await alb.close();
    }
  });

  it('says until when the certificate it is served is valid, and warns within --expiry-warning-days (30)', async () => {
    const issued = await issueWithPrivateCa('svc.example.test', 90);
    const alb = await standIn(modelServer(), {
      key: Buffer.from(issued.keyPem),
      cert: Buffer.from(issued.certPem),
    });
    const run = (extra: string[] = []) =>
      smokeOverTls(alb.port, 'svc.example.test', [
        '--ca-pem',
        issued.caPem,
        ...extra,
      ]);
    try {
      const months = await run();
      expect(months.code).toBe(0);
      expect(months.output).toMatch(
        /^https:\/\/svc\.example\.test certificate valid until \d{4}-\d\d-\d\d$/m,
      );
      expect(months.output).not.toContain('::warning::');

      const warnedEarlier = await run(['--expiry-warning-days', '100']);
      expect(warnedEarlier.code).toBe(0);
      expect(warnedEarlier.output).toMatch(
        /^::warning::the certificate svc\.example\.test serves expires on .* UTC \(in 89 days\): .*ACM renews the certificates it issues from up to 60 days before they expire/m,
      );
    } finally {
      await alb.close();
    }
  });

  describe('with the chains certificate_chains.sh reads from ACM (moto)', () => {
    let moto: MotoServer;

    beforeAll(async () => {
      moto = await startMotoServer();
    });
    afterAll(() => moto?.stop());

    const overlays: string[] = [];
    afterAll(() =>
      Promise.all(overlays.map(dir => fs.rm(dir, { recursive: true }))),
    );

    /** A kustomize overlay whose Ingress carries `certificateArns` (none when undefined), as the deploy job reads it. */
    const overlayServing = async (certificateArns?: string) => {
      const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mlops-overlay-'));
      overlays.push(dir);
      await fs.mkdir(path.join(dir, 'base'));
      await fs.writeFile(
        path.join(dir, 'base/ingress.yaml'),
        yaml.stringify({
          apiVersion: 'networking.k8s.io/v1',
          kind: 'Ingress',
          metadata: {
            name: 'svc',
            annotations: {
              'alb.ingress.kubernetes.io/scheme': 'internet-facing',
              ...(certificateArns && {
                'alb.ingress.kubernetes.io/certificate-arn': certificateArns,
              }),
            },
          },
          spec: { ingressClassName: 'alb' },
        }),
      );
      await fs.writeFile(
        path.join(dir, 'base/kustomization.yaml'),
        'resources: [ingress.yaml]\n',
      );
      // The overlay adds objects of its own, as the template's do.
      await fs.writeFile(
        path.join(dir, 'namespace.yaml'),
        'apiVersion: v1\nkind: Namespace\nmetadata: {name: ml}\n',
      );
      await fs.writeFile(
        path.join(dir, 'kustomization.yaml'),
        'namespace: ml\nresources: [base, namespace.yaml]\n',
      );
      return dir;
    };

    const chainsOf = async (
      certificateArns?: string,
      env: Record<string, string> = {},
    ) =>
      exec('bash', [skeletonScript('certificate_chains.sh')], {
        env: {
          ...awsCliEnvironment(moto, 'eu-west-1'),
          // kubectl renders the overlay without a cluster.
          KUBECONFIG: '/dev/null',
          OVERLAY: await overlayServing(certificateArns),
          ...env,
        },
      });

    it("passes through a private CA's certificate, as the deploy job runs it", async () => {
      const acm = new ACMClient({
        region: 'eu-west-1',
        endpoint: moto.endpoint,
        credentials: MOTO_CREDENTIALS,
      });
      const imported = async (host: string) => {
        const certificate = await issueWithPrivateCa(host);
        const { CertificateArn } = await acm.send(
          new ImportCertificateCommand({
            Certificate: Buffer.from(certificate.certPem),
            PrivateKey: Buffer.from(certificate.keyPem),
            CertificateChain: Buffer.from(certificate.caPem),
          }),
        );
        return { ...certificate, arn: CertificateArn! };
      };
      const issued = await imported('svc.example.test');
      const other = await imported('other.example.test');
      // As the Ingress annotation may hold them: several, comma-separated
      // (long enough that kustomize folds the value over two lines).
      const chains = await chainsOf(`${issued.arn}, ${other.arn}`);
      expect(chains.code).toBe(0);
      expect(chains.output).toContain(issued.caPem.trim());
      expect(chains.output).toContain(other.caPem.trim());

      const alb = await standIn(modelServer(), {
        key: Buffer.from(issued.keyPem),
        cert: Buffer.from(issued.certPem),
      });
      try {
        const smoke = await smokeOverTls(alb.port, 'svc.example.test', [
          '--ca-pem',
          chains.output,
        ]);
        expect(smoke.output).toContain('smoke test passed');
        expect(smoke.code).toBe(0);
      } finally {
        await alb.close();
      }
    });

    it('prints nothing for an Ingress without a certificate', async () => {
      expect(await chainsOf()).toEqual({ code: 0, output: '' });
    });

    it('fails naming the overlay it cannot render', async () => {
      const chains = await chainsOf(undefined, {
        OVERLAY: path.join(os.tmpdir(), 'no-such-overlay'),
      });
      expect(chains.code).not.toBe(0);
      expect(chains.output).toContain('no-such-overlay');
      expect(chains.output).not.toContain('::error::Cannot read the chain');
    });

    it('fails naming a certificate it cannot read, and what the deploy role may read', async () => {
      const missing =
        'arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d';
      const chains = await chainsOf(missing);
      expect(chains.code).toBe(1);
      expect(chains.output).toMatch(
        new RegExp(
          `^::error::Cannot read the chain of ${missing} from ACM for the smoke test: .*certificate_arn names in terraform/envs/<environment>/terraform\\.tfvars`,
          's',
        ),
      );
      expect(chains.output).not.toContain('permissions boundary');
    });

    it('names the permissions boundary too when AWS denies the call', async () => {
      const arn =
        'arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d';
      // A stand-in for ACM that denies as AWS does when a boundary leaves the action out.
      const denying = await standIn(() => ({
        status: 400,
        body: {
          __type: 'AccessDeniedException',
          message: `User: arn:aws:sts::123456789012:assumed-role/churn-dev-github-deploy/ci is not authorized to perform: acm:GetCertificate on resource: ${arn} because no permissions boundary allows the acm:GetCertificate action`,
        },
      }));
      try {
        const chains = await chainsOf(arn, {
          AWS_ENDPOINT_URL: `http://127.0.0.1:${denying.port}`,
          AWS_MAX_ATTEMPTS: '1',
        });
        expect(chains.code).toBe(1);
        expect(chains.output).toMatch(
          /^::error::Cannot read the chain of .*AccessDeniedException.*If it names it already, the permissions boundary \(permissions_boundary_arn\) must allow acm:GetCertificate too\.$/ms,
        );
      } finally {
        await denying.close();
      }
    });
  });
});
