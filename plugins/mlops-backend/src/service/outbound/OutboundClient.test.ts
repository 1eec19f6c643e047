import { LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { AddressInfo } from 'node:net';
import tls from 'node:tls';
import {
  fixtureServers,
  FixtureServer,
  hugeHandler,
  redirectHandler,
  resetHandler,
  sendJson,
  slowHandler,
  startFixture,
} from '../__testUtils__/httpFixtures';
import { until } from '../__testUtils__/until';
import { selfSignedCertificate } from '@internal/test-certificates';
import { createOutboundClient, OutboundGuardOptions } from './OutboundClient';
import { OutboundError } from './OutboundError';

async function failureOf(promise: Promise<unknown>): Promise<OutboundError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof OutboundError) return error;
    throw error;
  }
  throw new Error('expected the request to fail');
}

const { start: fixture, closeAll } = fixtureServers();
afterEach(closeAll);

const loopback = (options: OutboundGuardOptions = {}) =>
  createOutboundClient({ allowPrivateNetworks: true, ...options });

describe('SSRF refusals before any connection', () => {
  let trap: FixtureServer;
  beforeEach(async () => {
    trap = await fixture((_req, res) => sendJson(res, 200, { trapped: true }));
  });

  const strictTargets = (port: number) => [
    `http://127.0.0.1:${port}/`,
    `http://localhost:${port}/`,
    `http://[::1]:${port}/`,
    `http://[::ffff:127.0.0.1]:${port}/`,
    `http://0.0.0.0:${port}/`,
    `http://2130706433:${port}/`,
    `http://0x7f.0.0.1:${port}/`,
    'http://10.0.0.1/',
    'http://172.16.5.4/',
    'http://192.168.1.1/',
    'http://169.254.169.254/latest/meta-data/',
    'http://[fd00:ec2::254]/',
    'http://100.64.0.1/',
    'http://100.100.100.200/',
    'http://[fe80::1]/',
    'http://224.0.0.1/',
  ];

  it('refuses at least 10 private, loopback and metadata targets', async () => {
    const client = createOutboundClient({ allowPrivateNetworks: false });
    const targets = strictTargets(trap.port);
    expect(targets.length).toBeGreaterThanOrEqual(10);
    for (const url of targets) {
      const error = await failureOf(client.request({ url }));
      expect({ url, errorClass: error.errorClass }).toEqual({
        url,
        errorClass: 'blocked',
      });
    }
    expect(trap.received).toHaveLength(0);
  });

  it('refuses URLs with userinfo, other schemes and port 0 even on loopback', async () => {
    const client = loopback();
    const targets = [
      `http://user:secret@127.0.0.1:${trap.port}/`,
      `http://user@127.0.0.1:${trap.port}/`,
      'file:///etc/passwd',
      `gopher://127.0.0.1:${trap.port}/_GET`,
      `ftp://127.0.0.1:${trap.port}/`,
      'http://127.0.0.1:0/',
      'not a url',
    ];
    for (const url of targets) {
      const error = await failureOf(client.request({ url }));
      expect({ url, errorClass: error.errorClass }).toEqual({
        url,
        errorClass: 'blocked',
      });
    }
    expect(trap.received).toHaveLength(0);
  });

  it('refuses metadata addresses even with allowPrivateNetworks', async () => {
    const client = loopback();
    for (const url of [
      'http://169.254.169.254/latest/meta-data/',
      'http://[fd00:ec2::254]/',
      'http://[::ffff:169.254.169.254]/',
      'http://[64:ff9b::a9fe:a9fe]/',
      'http://100.100.100.200/',
      'http://169.254.170.2/v2/credentials',
    ]) {
      const error = await failureOf(client.request({ url }));
      expect(error.errorClass).toBe('blocked');
      expect(error.message).toMatch(/metadata/);
    }
  });

  it('refuses a name when any of its addresses is refused', async () => {
    const resolve = jest.fn(
      async (): Promise<LookupAddress[]> => [
        { address: '127.0.0.1', family: 4 },
        { address: '169.254.169.254', family: 4 },
      ],
    );
    const client = loopback({ resolve });
    const error = await failureOf(
      client.request({ url: `http://models.internal.test:${trap.port}/` }),
    );
    expect(error.errorClass).toBe('blocked');
    expect(trap.received).toHaveLength(0);
  });

  it('vets a reused answer on every request', async () => {
    const resolve = jest.fn(
      async (): Promise<LookupAddress[]> => [
        { address: '169.254.169.254', family: 4 },
      ],
    );
    const client = loopback({ resolve });
    for (let i = 0; i < 2; i++) {
      const error = await failureOf(
        client.request({ url: `http://models.internal.test:${trap.port}/` }),
      );
      expect(error.errorClass).toBe('blocked');
    }
    expect(resolve).toHaveBeenCalledTimes(1);
    expect(trap.received).toHaveLength(0);
  });

  it('checks the allowlist before resolving or connecting', async () => {
    const resolve = jest.fn(async (): Promise<LookupAddress[]> => []);
    const client = loopback({ allowedHosts: ['*.example.com'], resolve });
    for (const url of [
      `http://127.0.0.1:${trap.port}/`,
      'http://example.com.evil.test/',
      'http://example.com/',
    ]) {
      expect((await failureOf(client.request({ url }))).errorClass).toBe(
        'blocked',
      );
    }
    expect(resolve).not.toHaveBeenCalled();
    expect(trap.received).toHaveLength(0);
  });
});

describe('guarded requests to real servers', () => {
  it('returns status, body and latency', async () => {
    const server = await fixture((_req, res) =>
      sendJson(res, 200, { ok: true }),
    );
    const response = await loopback().request({ url: `${server.url}/x?y=1` });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body.toString())).toEqual({ ok: true });
    expect(response.latencyMs).toBeGreaterThanOrEqual(0);
    expect(server.received[0].path).toBe('/x?y=1');
  });

  it('allows a host matching the allowlist', async () => {
    const server = await fixture((_req, res) => sendJson(res, 200, {}));
    const client = loopback({ allowedHosts: ['127.0.0.1'] });
    expect((await client.request({ url: server.url })).status).toBe(200);
  });

  it('connects to the vetted address and resolves once', async () => {
    const server = await fixture((_req, res) => sendJson(res, 200, {}));
    const resolve = jest.fn(
      async (): Promise<LookupAddress[]> => [
        { address: '127.0.0.1', family: 4 },
      ],
    );
    const client = loopback({ allowedHosts: ['*.internal.test'], resolve });
    const response = await client.request({
      url: `http://models.internal.test:${server.port}/v2/health/live`,
    });
    expect(response.status).toBe(200);
    expect(resolve).toHaveBeenCalledTimes(1);
    expect(server.received[0].headers.host).toBe(
      `models.internal.test:${server.port}`,
    );
  });

  it('shares one lookup between calls at once and reuses it', async () => {
    const server = await fixture((_req, res) => sendJson(res, 200, {}));
    const resolve = jest.fn(
      async (): Promise<LookupAddress[]> => [
        { address: '127.0.0.1', family: 4 },
      ],
    );
    const client = loopback({ resolve });
    const url = `http://models.internal.test:${server.port}/v2/health/ready`;

    const answers = await Promise.all(
      [1, 2, 3].map(() => client.request({ url })),
    );
    await client.request({ url });

    expect(answers.map(a => a.status)).toEqual([200, 200, 200]);
    expect(server.received).toHaveLength(4);
    expect(resolve).toHaveBeenCalledTimes(1);
  });

  it('resolves a name again once its answer is older than the TTL', async () => {
    const server = await fixture((_req, res) => sendJson(res, 200, {}));
    const resolve = jest.fn(
      async (): Promise<LookupAddress[]> => [
        { address: '127.0.0.1', family: 4 },
      ],
    );
    const ttlMs = 50;
    const client = loopback({ resolve, dnsAnswerTtlMs: ttlMs });
    const url = `http://models.internal.test:${server.port}/`;

    await client.request({ url });
    await new Promise(r => setTimeout(r, ttlMs + 10));
    await client.request({ url });

    expect(resolve).toHaveBeenCalledTimes(2);
  });

  it('does not keep a failed lookup', async () => {
    const server = await fixture((_req, res) => sendJson(res, 200, {}));
    const resolve = jest
      .fn<Promise<LookupAddress[]>, [string]>()
      .mockRejectedValueOnce(
        Object.assign(new Error('getaddrinfo EAI_AGAIN'), {
          code: 'EAI_AGAIN',
        }),
      )
      .mockResolvedValue([{ address: '127.0.0.1', family: 4 }]);
    const client = loopback({ resolve });
    const url = `http://models.internal.test:${server.port}/`;

    expect((await failureOf(client.request({ url }))).errorClass).toBe('dns');
    expect((await client.request({ url })).status).toBe(200);
    expect(resolve).toHaveBeenCalledTimes(2);
  });

  it('reaches an IPv6 literal target at its vetted address', async () => {
    const server = http.createServer((_req, res) => sendJson(res, 200, {}));
    await new Promise<void>(resolve => server.listen(0, '::1', resolve));
    const { port } = server.address() as AddressInfo;
    const client = loopback();
    try {
      const response = await client.request({ url: `http://[::1]:${port}/` });
      expect(response.status).toBe(200);
    } finally {
      await client.close();
      server.closeAllConnections();
      await new Promise(resolve => server.close(resolve));
    }
  });

  it('sends only the caller headers, never credentials', async () => {
    const server = await fixture((_req, res) => sendJson(res, 200, {}));
    await loopback().request({
      url: server.url,
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'X-Request-Id': 'abc',
        Authorization: 'Bearer backstage-token',
        Cookie: 'session=1',
        'X-Forwarded-For': '10.0.0.1',
      },
      body: '{"inputs":[]}',
    });
    const { headers, body } = server.received[0];
    expect(headers['content-type']).toBe('application/json');
    expect(headers['x-request-id']).toBe('abc');
    expect(headers.authorization).toBeUndefined();
    expect(headers.cookie).toBeUndefined();
    expect(headers['x-forwarded-for']).toBeUndefined();
    expect(body).toBe('{"inputs":[]}');
  });

  it('times out on a slow server', async () => {
    const server = await fixture(slowHandler(5000));
    const started = Date.now();
    const error = await failureOf(
      loopback({ timeoutMs: 200 }).request({ url: server.url }),
    );
    expect(error.errorClass).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("gives a request its own time budget instead of the client's", async () => {
    const server = await fixture(slowHandler(400));
    const client = loopback({ timeoutMs: 200 });
    const error = await failureOf(client.request({ url: server.url }));
    expect(error.errorClass).toBe('timeout');
    const response = await client.request({
      url: server.url,
      timeoutMs: 5000,
    });
    expect(response.status).toBe(200);
  });

  it('times out on a body that stalls after the headers, and drops the connection', async () => {
    let connectionClosed!: () => void;
    const closed = new Promise<void>(resolve => (connectionClosed = resolve));
    const server = await fixture((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"live":');
      res.on('close', connectionClosed);
    });
    const started = Date.now();
    const error = await failureOf(
      loopback({ timeoutMs: 200 }).request({ url: server.url }),
    );
    expect(error.errorClass).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(2000);
    await closed;
  });

  it('times out on a DNS lookup that does not answer', async () => {
    const resolve = jest.fn(() => new Promise<LookupAddress[]>(() => {}));
    const started = Date.now();
    const error = await failureOf(
      loopback({ timeoutMs: 200, resolve }).request({
        url: 'http://models.example.test/v2/health/ready',
      }),
    );
    expect(error.errorClass).toBe('timeout');
    expect(resolve).toHaveBeenCalledWith('models.example.test');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('counts one deadline across redirects, not one per hop', async () => {
    // Every hop answers within the timeout, but six of them do not: with a
    // timeout per hop the chain would end on the redirect limit instead.
    const server = await fixture((req, res) => {
      const hop = Number(new URL(req.url!, 'http://x').searchParams.get('hop'));
      setTimeout(
        () => res.writeHead(302, { location: `/?hop=${hop + 1}` }).end(),
        150,
      );
    });
    const error = await failureOf(
      loopback({ timeoutMs: 400, maxRedirects: 5 }).request({
        url: `${server.url}/?hop=0`,
      }),
    );
    expect(error.errorClass).toBe('timeout');
    expect(server.received.length).toBeLessThanOrEqual(3);
  });

  it.each([true, false])(
    'aborts a response over the cap (content-length declared: %s)',
    async declared => {
      const server = await fixture(hugeHandler(8 * 1024 * 1024, declared));
      const error = await failureOf(
        loopback({ maxResponseBytes: 64 * 1024 }).request({ url: server.url }),
      );
      expect(error.errorClass).toBe('too-large');
    },
  );

  it('classifies a dropped connection as reset', async () => {
    const server = await fixture(resetHandler);
    const error = await failureOf(loopback().request({ url: server.url }));
    expect(error.errorClass).toBe('reset');
  });

  it('classifies a closed port as refused', async () => {
    const server = await startFixture(() => {});
    await server.close();
    const error = await failureOf(loopback().request({ url: server.url }));
    expect(error.errorClass).toBe('refused');
  });

  it('classifies a TLS handshake failure as tls', async () => {
    const server = await fixture((_req, res) => sendJson(res, 200, {}));
    const error = await failureOf(
      loopback().request({ url: `https://127.0.0.1:${server.port}/` }),
    );
    expect(error.errorClass).toBe('tls');
  });

  it('classifies a resolution failure as dns', async () => {
    const resolve = async (): Promise<LookupAddress[]> => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND'), {
        code: 'ENOTFOUND',
      });
    };
    const error = await failureOf(
      loopback({ resolve }).request({ url: 'http://missing.internal.test/' }),
    );
    expect(error.errorClass).toBe('dns');
  });
});

describe('redirects', () => {
  it('follows allowed redirects, relative ones included', async () => {
    const target = await fixture((_req, res) => sendJson(res, 200, { end: 1 }));
    const hop = await fixture(redirectHandler(`${target.url}/final`, 307));
    const first = await fixture(redirectHandler(`${hop.url}/next`, 301));
    const response = await loopback().request({ url: first.url });
    expect(response.status).toBe(200);
    expect(response.url).toBe(`${target.url}/final`);

    const relative = await fixture((req, res) =>
      req.url === '/moved'
        ? sendJson(res, 200, { moved: true })
        : redirectHandler('/moved')(req, res, ''),
    );
    const moved = await loopback().request({ url: relative.url });
    expect(JSON.parse(moved.body.toString())).toEqual({ moved: true });
  });

  it('turns a POST into a GET on 303 and keeps it on 307', async () => {
    const target = await fixture((_req, res) => sendJson(res, 200, {}));
    const see = await fixture(redirectHandler(target.url, 303));
    const temp = await fixture(redirectHandler(target.url, 307));
    const post = { method: 'POST' as const, body: '{}' };
    await loopback().request({ url: see.url, ...post });
    await loopback().request({ url: temp.url, ...post });
    expect(target.received.map(r => [r.method, r.body])).toEqual([
      ['GET', ''],
      ['POST', '{}'],
    ]);
  });

  it('refuses a redirect to the metadata address', async () => {
    const server = await fixture(
      redirectHandler('http://169.254.169.254/latest/meta-data/'),
    );
    const error = await failureOf(loopback().request({ url: server.url }));
    expect(error.errorClass).toBe('blocked');
    expect(error.message).toMatch(/metadata/);
  });

  it('refuses a redirect to a host outside the allowlist', async () => {
    const resolve = jest.fn(
      async (): Promise<LookupAddress[]> => [
        { address: '127.0.0.1', family: 4 },
      ],
    );
    const server = await fixture(redirectHandler('http://evil.example.org/'));
    const client = loopback({ allowedHosts: ['127.0.0.1'], resolve });
    const error = await failureOf(client.request({ url: server.url }));
    expect(error.errorClass).toBe('blocked');
    expect(error.message).toMatch(/allowlist/);
    expect(error.remedy).toBe(
      'add evil.example.org to mlops.outbound.allowedHosts',
    );
    expect(resolve).not.toHaveBeenCalled();
  });

  it('names the setting that lifts a private-range refusal, and none for metadata', async () => {
    const server = await fixture((_req, res) => sendJson(res, 200, {}));
    const strict = createOutboundClient({ allowPrivateNetworks: false });
    const privateRefusal = await failureOf(strict.request({ url: server.url }));
    expect(privateRefusal.remedy).toBe(
      'set mlops.outbound.allowPrivateNetworks: true',
    );
    const metadata = await failureOf(
      strict.request({ url: 'http://169.254.169.254/' }),
    );
    expect(metadata.errorClass).toBe('blocked');
    expect(metadata.remedy).toBeUndefined();
  });

  it('refuses a redirect to a non-http scheme', async () => {
    const toFile = await fixture(redirectHandler('file:///etc/passwd'));
    const error = await failureOf(loopback().request({ url: toFile.url }));
    expect(error.errorClass).toBe('blocked');
  });

  it('stops after the maximum number of redirects', async () => {
    const loop = await fixture(redirectHandler('/again'));
    const error = await failureOf(
      loopback({ maxRedirects: 2 }).request({ url: loop.url }),
    );
    expect(error.errorClass).toBe('blocked');
    expect(loop.received).toHaveLength(3);
  });
});

describe('HTTPS to a vetted address', () => {
  let cert: Buffer;
  let key: Buffer;
  const defaultRoots = tls.getCACertificates('default');

  beforeAll(async () => {
    ({ cert, key } = await selfSignedCertificate(['models.internal.test'], 1));
    // Trusted as a public CA's certificate would be, through the default roots.
    tls.setDefaultCACertificates([...defaultRoots, cert.toString()]);
  });

  afterAll(() => {
    tls.setDefaultCACertificates(defaultRoots);
  });

  async function tlsFixture(): Promise<{
    port: number;
    servernames: Array<string | false | null>;
    close(): Promise<void>;
  }> {
    const servernames: Array<string | false | null> = [];
    const server = https.createServer({ key, cert }, (req, res) => {
      servernames.push((req.socket as tls.TLSSocket).servername);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    await new Promise<void>(resolve =>
      server.listen(0, '127.0.0.1', () => resolve()),
    );
    return {
      port: (server.address() as AddressInfo).port,
      servernames,
      close: () =>
        new Promise(resolve => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    };
  }

  const toLoopback = async (): Promise<LookupAddress[]> => [
    { address: '127.0.0.1', family: 4 },
  ];

  it('sends the host name for SNI and checks the certificate against it', async () => {
    const server = await tlsFixture();
    const client = loopback({ resolve: toLoopback });
    try {
      const url = `https://models.internal.test:${server.port}/v2/health/ready`;
      expect((await client.request({ url })).status).toBe(200);
      expect((await client.request({ url })).status).toBe(200);
      expect(server.servernames).toEqual([
        'models.internal.test',
        'models.internal.test',
      ]);

      const error = await failureOf(
        client.request({ url: `https://other.internal.test:${server.port}/` }),
      );
      expect(error.errorClass).toBe('tls');
      expect(error.message).toMatch(/other\.internal\.test/);
    } finally {
      await client.close();
      await server.close();
    }
  });
});

describe('close and destroy', () => {
  it('lets requests in flight finish instead of failing them', async () => {
    const server = await fixture(slowHandler(200));
    const client = loopback({ timeoutMs: 2000 });
    const inFlight = client.request({ url: server.url });
    await new Promise(resolve => setTimeout(resolve, 50));
    await client.close();
    expect((await inFlight).status).toBe(200);
  });

  it('destroy fails requests in flight at once and closes their connections', async () => {
    let connectionClosed!: () => void;
    const closed = new Promise<void>(resolve => (connectionClosed = resolve));
    const server = await fixture((_req, res) =>
      res.on('close', connectionClosed),
    );
    const client = loopback({ timeoutMs: 30_000 });
    const inFlight = failureOf(client.request({ url: server.url }));
    await until(() => server.received.length > 0, 'the server has the request');
    const started = performance.now();
    await client.destroy();
    expect((await inFlight).errorClass).toBe('reset');
    expect(performance.now() - started).toBeLessThan(1000);
    await closed;
    expect(
      (await failureOf(client.request({ url: server.url }))).errorClass,
    ).toBe('reset');
  });
});
