import {
  MOTO_ACCOUNT_ID,
  MotoServer,
  motoCommand,
  startMotoServer,
} from './motoServer';

jest.setTimeout(60_000);

const running: MotoServer[] = [];
async function start(...args: Parameters<typeof startMotoServer>) {
  const moto = await startMotoServer(...args);
  running.push(moto);
  return moto;
}

afterEach(async () => {
  await Promise.all(running.splice(0).map(moto => moto.stop()));
});

/** The account STS says the caller is in. */
async function callerAccount(endpoint: string): Promise<string | undefined> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization:
        'AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: 'Action=GetCallerIdentity&Version=2011-06-15',
  });
  return /<Account>(\d+)<\/Account>/.exec(await response.text())?.[1];
}

describe('startMotoServer', () => {
  it('serves on a loopback port, snapshots what it holds, resets and logs each request', async () => {
    const moto = await start();
    expect(moto.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const empty = await moto.snapshot();

    const created = await fetch(`${moto.endpoint}/a-bucket`, { method: 'PUT' });
    expect(created.status).toBe(200);
    const withBucket = await moto.snapshot();
    expect(withBucket).not.toEqual(empty);
    expect(JSON.stringify(withBucket.s3)).toContain('a-bucket');
    expect(moto.log()).toMatch(/"PUT \/a-bucket HTTP\/1\.1" 200/);

    await moto.reset();
    expect(await moto.snapshot()).toEqual(empty);
  });

  it('answers for MOTO_ACCOUNT_ID, or for the account it was started with', async () => {
    const [plain, other] = await Promise.all([
      start(),
      start({ accountId: '210987654321' }),
    ]);
    expect(await callerAccount(plain.endpoint)).toBe(MOTO_ACCOUNT_ID);
    expect(await callerAccount(other.endpoint)).toBe('210987654321');
  });

  it('is gone once stopped', async () => {
    const moto = await start();
    await moto.stop();
    await expect(
      fetch(`${moto.endpoint}/moto-api/data.json`),
    ).rejects.toThrow();
  });

  it('names the command and the fix when moto cannot start', async () => {
    const saved = process.env.MOTO_SERVER;
    process.env.MOTO_SERVER = '/nonexistent/moto_server';
    try {
      expect(motoCommand()).toEqual(['/nonexistent/moto_server', []]);
      await expect(startMotoServer()).rejects.toThrow(
        /moto \(\/nonexistent\/moto_server\) did not report a listening address.*pip install 'moto\[server\]'.*ENOENT/s,
      );
    } finally {
      if (saved === undefined) delete process.env.MOTO_SERVER;
      else process.env.MOTO_SERVER = saved;
    }
  });
});
