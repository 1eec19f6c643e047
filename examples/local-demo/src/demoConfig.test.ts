import { DEMO_GITHUB_CONFIG } from './demoConfig';
import { MOTO_ACCOUNT_ID, seedPlatformPolicies, startMoto } from './moto';

jest.setTimeout(60_000);

describe('DEMO_GITHUB_CONFIG', () => {
  let moto: Awaited<ReturnType<typeof startMoto>>;
  beforeAll(async () => {
    moto = await startMoto();
  });
  afterAll(() => moto?.process.stop());

  it('names the policies the demo seeds in moto, boundary first', async () => {
    const named = [
      DEMO_GITHUB_CONFIG.permissionsBoundary,
      ...DEMO_GITHUB_CONFIG.terraformRolePolicies,
    ];
    await expect(seedPlatformPolicies(moto.endpoint)).resolves.toEqual(
      named.map(name => `arn:aws:iam::${MOTO_ACCOUNT_ID}:policy/${name}`),
    );
  });
});
