import { PutObjectCommand } from '@aws-sdk/client-s3';
import { createBackendPlugin } from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import {
  catalogProcessingExtensionPoint,
  EntityProvider,
} from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  EventsService,
  eventsServiceFactory,
  eventsServiceRef,
} from '@backstage/plugin-events-node';
import {
  MOTO_ACCOUNT_ID,
  MOTO_CREDENTIALS,
  MotoServer,
  startMotoServer,
} from '@internal/moto-server';
import { serviceWithStates } from '../__testUtils__/clusterDiscovery';
import { createBucket, motoS3Client } from '../__testUtils__/deployRecordsMoto';
import { CLUSTER_DISCOVERY_REQUESTED_TOPIC } from './discoveryRequests';
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

describe("catalogModuleMlopsClusters and the mlops plugin's requests", () => {
  const BUCKET = 'fraud-score-tfstate-123456789012';
  const component = serviceWithStates(BUCKET);
  const output = (value: unknown) => ({ value, type: typeof value });
  const devState = JSON.stringify({
    version: 4,
    outputs: {
      aws_region: output('eu-west-1'),
      cluster_name: output('fraud-score-dev'),
      cluster_endpoint: output(
        'https://0123456789ABCDEF.gr7.eu-west-1.eks.amazonaws.com',
      ),
      cluster_certificate_authority_data: output('LS0tLS1CRUdJTg=='),
      cluster_created: output(true),
    },
  });
  let moto: MotoServer;

  beforeAll(async () => {
    moto = await startMotoServer();
    const s3 = motoS3Client(moto);
    await createBucket(s3, BUCKET);
    await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'fraud-score/dev/terraform.tfstate',
        Body: devState,
      }),
    );
  });
  afterAll(() => moto?.stop());

  /**
   * A backend with the module, the events service backend-defaults installs
   * and a plugin standing in for mlops that publishes; the scheduled run
   * never runs, so what the provider applies comes from the request.
   */
  async function backendWithModule() {
    let providerFound: EntityProvider | undefined;
    let mlopsEvents: EventsService | undefined;
    const publisher = createBackendPlugin({
      pluginId: 'mlops',
      register(env) {
        env.registerInit({
          deps: { events: eventsServiceRef },
          async init({ events }) {
            mlopsEvents = events;
          },
        });
      },
    });
    const backend = await startTestBackend({
      extensionPoints: [
        [
          catalogProcessingExtensionPoint,
          {
            addEntityProvider: (provider: EntityProvider) => {
              providerFound = provider;
            },
          },
        ],
      ],
      features: [
        catalogModuleMlopsClusters,
        publisher,
        eventsServiceFactory,
        catalogServiceMock.factory({ entities: [component] }),
        mockServices.scheduler.mock({
          createScheduledTaskRunner: () => ({ run: async () => {} }),
        }).factory,
        mockServices.rootConfig.factory({
          data: {
            aws: {
              mainAccount: MOTO_CREDENTIALS,
              accounts: [{ accountId: MOTO_ACCOUNT_ID, ...MOTO_CREDENTIALS }],
            },
            mlops: { aws: { endpoint: moto.endpoint } },
          },
        }),
      ],
    });
    const applyMutation = jest.fn();
    await providerFound!.connect({ applyMutation, refresh: jest.fn() });
    return { backend, events: mlopsEvents!, applyMutation };
  }

  it("adds a cluster when the mlops plugin asks for an environment's state", async () => {
    const { backend, events, applyMutation } = await backendWithModule();
    try {
      expect(applyMutation).not.toHaveBeenCalled();

      await events.publish({
        topic: CLUSTER_DISCOVERY_REQUESTED_TOPIC,
        eventPayload: {
          entityRef: 'component:default/fraud-score',
          environment: 'dev',
        },
      });

      expect(applyMutation).toHaveBeenCalledTimes(1);
      expect(applyMutation.mock.calls[0][0]).toMatchObject({
        type: 'delta',
        added: [{ entity: { metadata: { name: 'fraud-score-dev' } } }],
      });
    } finally {
      await backend.stop();
    }
  });

  it('ignores a request without an entity and environment', async () => {
    const { backend, events, applyMutation } = await backendWithModule();
    try {
      await events.publish({
        topic: CLUSTER_DISCOVERY_REQUESTED_TOPIC,
        eventPayload: { entityRef: 'component:default/fraud-score' },
      });
      expect(applyMutation).not.toHaveBeenCalled();
    } finally {
      await backend.stop();
    }
  });
});
