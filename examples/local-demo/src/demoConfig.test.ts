import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import yaml from 'yaml';
import { DEMO_GITHUB_CONFIG, writeDemoConfig } from './demoConfig';
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

describe('writeDemoConfig', () => {
  const write = async (localRunner?: {
    clustersFile: string;
    catalogToken: string;
  }) => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'demo-config-'));
    const file = path.join(dir, 'app-config.yaml');
    try {
      await writeDemoConfig({
        file,
        demoCatalogFile: '/demo/ml-services.yaml',
        appUrl: 'http://localhost:3000',
        backendUrl: 'http://localhost:7007',
        banner: 'demo',
        kubernetesSimulationUrl: 'http://127.0.0.1:1234',
        localRunner,
      });
      return yaml.parse(await fs.readFile(file, 'utf8'));
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  };

  it("with the local runner: its clusters file as a Resource-only location, a catalog-only token, and the catalog locator allowing the simulations' loopback URLs", async () => {
    const config = await write({
      clustersFile: '/demo/simulated-clusters.yaml',
      catalogToken: 'a-random-token',
    });
    expect(config.catalog.locations).toContainEqual({
      type: 'file',
      target: '/demo/simulated-clusters.yaml',
      rules: [{ allow: ['Resource'] }],
    });
    expect(config.backend.auth.externalAccess).toEqual([
      {
        type: 'static',
        options: { token: 'a-random-token', subject: 'local-demo-runner' },
        accessRestrictions: [{ plugin: 'catalog' }],
      },
    ]);
    expect(config.kubernetes.clusterLocatorMethods[1]).toEqual({
      type: 'catalog',
      dangerouslyAllowClusterUrls: ['127.0.0.1'],
    });
  });

  it('without it: none of these', async () => {
    const config = await write();
    expect(config.backend.auth).toBeUndefined();
    expect(config.kubernetes.clusterLocatorMethods[1]).toEqual({
      type: 'catalog',
    });
    expect(JSON.stringify(config.catalog.locations)).not.toContain(
      'simulated-clusters',
    );
  });
});
