import { ConfigReader } from '@backstage/config';
import { MOTO_CREDENTIALS } from '@internal/moto-server';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { AwsClientFactory } from './AwsClientFactory';
import { matchesFilter, unscannedRepositoryWarning } from './registryScanning';

describe('matchesFilter', () => {
  it('matches a name containing a filter without wildcards', () => {
    expect(matchesFilter('churn', 'ml/churn-model')).toBe(true);
    expect(matchesFilter('fraud', 'ml/churn-model')).toBe(false);
  });

  it('lets each * stand for any characters, the rest matched literally', () => {
    expect(matchesFilter('ml/*', 'ml/churn-model')).toBe(true);
    expect(matchesFilter('*-model', 'ml/churn-model')).toBe(true);
    expect(matchesFilter('ml/*-model', 'ml/churn-model')).toBe(true);
    expect(matchesFilter('ml*', 'team/ml-churn')).toBe(false);
    expect(matchesFilter('ml.*', 'mlx-churn')).toBe(false);
  });
});

describe('unscannedRepositoryWarning when the registry configuration cannot be read', () => {
  let server: Server;

  beforeAll(async () => {
    // ECR refusing the read, as AWS answers a JSON-protocol call it denies.
    server = createServer((_req, res) => {
      res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(
        JSON.stringify({
          __type: 'AccessDeniedException',
          message:
            'User: arn:aws:iam::123456789012:user/backstage is not authorized to perform: ' +
            'ecr:GetRegistryScanningConfiguration on resource: * because no identity-based policy allows it',
        }),
      );
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise(resolve => server.close(resolve)));

  it('warns, naming the action, instead of failing', async () => {
    const endpoint = `http://127.0.0.1:${
      (server.address() as AddressInfo).port
    }`;
    const factory = AwsClientFactory.fromConfig(
      new ConfigReader({
        aws: { mainAccount: MOTO_CREDENTIALS },
        mlops: { aws: { endpoint } },
      }),
    );
    const { ecr } = await factory.create({ region: 'eu-west-1' });
    const warning = await unscannedRepositoryWarning(ecr, 'ml/churn-model');
    expect(warning).toMatch(
      /^Could not read the registry's scanning configuration to tell whether images pushed to "ml\/churn-model" are scanned: AWS denied ecr:GetRegistryScanningConfiguration/,
    );
    expect(warning).toMatch(
      /the registry's rules decide that, not scanOnPush\.$/,
    );
  });
});
