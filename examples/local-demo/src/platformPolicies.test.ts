import { GetPolicyCommand, IAMClient } from '@aws-sdk/client-iam';
import { startMoto, MOTO_ACCOUNT_ID, MOTO_CREDENTIALS } from './moto';
import { DEMO_GITHUB_CONFIG, seedPlatformPolicies } from './platformPolicies';

jest.setTimeout(60_000);

describe('seedPlatformPolicies', () => {
  let moto: Awaited<ReturnType<typeof startMoto>>;
  beforeAll(async () => {
    moto = await startMoto();
  });
  afterAll(() => moto?.process.stop());

  it('creates every policy the demo config names, and may run again', async () => {
    await seedPlatformPolicies(moto.endpoint);
    await seedPlatformPolicies(moto.endpoint);

    const iam = new IAMClient({
      endpoint: moto.endpoint,
      region: 'us-east-1',
      credentials: MOTO_CREDENTIALS,
    });
    const named = [
      DEMO_GITHUB_CONFIG.permissionsBoundary,
      ...DEMO_GITHUB_CONFIG.terraformRolePolicies,
    ];
    for (const name of named) {
      const { Policy } = await iam.send(
        new GetPolicyCommand({
          PolicyArn: `arn:aws:iam::${MOTO_ACCOUNT_ID}:policy/${name}`,
        }),
      );
      expect(Policy?.PolicyName).toBe(name);
    }
    iam.destroy();
  });
});
