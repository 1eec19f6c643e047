import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { catalogModuleMlopsClusters } from './module';
import { TerraformStateClusterProvider } from './TerraformStateClusterProvider';

describe('catalogModuleMlopsClusters', () => {
  async function providersWith(config: object) {
    const addEntityProvider = jest.fn();
    await startTestBackend({
      extensionPoints: [
        [catalogProcessingExtensionPoint, { addEntityProvider }],
      ],
      features: [
        catalogModuleMlopsClusters,
        catalogServiceMock.factory(),
        mockServices.rootConfig.factory({ data: config }),
      ],
    });
    return addEntityProvider.mock.calls.map(([provider]) => provider);
  }

  it('registers the Terraform state cluster provider by default', async () => {
    const providers = await providersWith({});
    expect(providers).toHaveLength(1);
    expect(providers[0]).toBeInstanceOf(TerraformStateClusterProvider);
  });

  it('accepts a schedule from config', async () => {
    const providers = await providersWith({
      mlops: {
        clusterDiscovery: {
          schedule: { frequency: { minutes: 10 }, timeout: { minutes: 2 } },
        },
      },
    });
    expect(providers).toHaveLength(1);
  });

  it('registers nothing when disabled', async () => {
    const providers = await providersWith({
      mlops: { clusterDiscovery: { enabled: false } },
    });
    expect(providers).toEqual([]);
  });
});
