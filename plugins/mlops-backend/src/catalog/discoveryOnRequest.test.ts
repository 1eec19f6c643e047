import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { createBackendPlugin } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import {
  CatalogService,
  catalogServiceRef,
} from '@backstage/plugin-catalog-node';
import {
  EventsService,
  eventsServiceFactory,
  eventsServiceRef,
} from '@backstage/plugin-events-node';
import { MotoServer, startMotoServer } from '@internal/moto-server';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import yaml from 'yaml';
import { motoConfigData } from '../__testUtils__/actionHarness';
import { locatedClusters } from '../__testUtils__/catalogClusterLocator';
import { serviceWithStates } from '../__testUtils__/clusterDiscovery';
import { createBucket, motoS3Client } from '../__testUtils__/deployRecordsMoto';
import { CLUSTER_DISCOVERY_REQUESTED_TOPIC } from './discoveryRequests';
import { catalogModuleMlopsClusters } from './module';

jest.setTimeout(60_000);

const BUCKET = 'fraud-score-tfstate-123456789012';
const CLUSTER_ENDPOINT =
  'https://0123456789ABCDEF.gr7.eu-west-1.eks.amazonaws.com';

/** The outputs the template's env roots write, as Terraform stores them. */
function devState(): string {
  const output = (value: unknown) => ({ value, type: typeof value });
  return JSON.stringify({
    version: 4,
    outputs: {
      aws_region: output('eu-west-1'),
      cluster_name: output('fraud-score-dev'),
      cluster_endpoint: output(CLUSTER_ENDPOINT),
      cluster_certificate_authority_data: output('LS0tLS1CRUdJTg=='),
      cluster_created: output(true),
    },
  });
}

/** Polls `read` every 200 ms until it returns something, for at most `ms`. */
async function eventually<T>(
  read: () => Promise<T | undefined>,
  ms: number,
): Promise<T | undefined> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (value !== undefined || Date.now() > deadline) return value;
    await new Promise(resolve => setTimeout(resolve, 200));
  }
}

/**
 * The real catalog backend (SQLite, its processing loop and stitching), the
 * mlops catalog module with its scheduled run held back, and a plugin in the
 * mlops plugin's place that publishes as it does: a request alone must bring
 * the new cluster to the Kubernetes plugin's catalog locator.
 */
describe('cluster discovery on request, in a real catalog', () => {
  let moto: MotoServer;
  let dir: string;

  beforeAll(async () => {
    moto = await startMotoServer();
    const s3 = motoS3Client(moto);
    await createBucket(s3, BUCKET);
    await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'fraud-score/dev/terraform.tfstate',
        Body: devState(),
      }),
    );
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'mlops-discovery-'));
    await fs.writeFile(
      path.join(dir, 'catalog-info.yaml'),
      yaml.stringify(serviceWithStates(BUCKET)),
    );
  });
  afterAll(async () => {
    await moto?.stop();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it('adds the cluster of a deployed environment as soon as the mlops plugin asks', async () => {
    let events: EventsService | undefined;
    let catalog: CatalogService | undefined;
    const mlopsStandIn = createBackendPlugin({
      pluginId: 'mlops',
      register(env) {
        env.registerInit({
          deps: { events: eventsServiceRef, catalog: catalogServiceRef },
          async init(deps) {
            events = deps.events;
            catalog = deps.catalog;
          },
        });
      },
    });
    const backend = await startTestBackend({
      features: [
        catalogPlugin,
        catalogModuleMlopsClusters,
        mlopsStandIn,
        eventsServiceFactory,
        // No scheduled task runs: not the discovery's full run, either.
        mockServices.scheduler.factory({ skipTaskRunOnStartup: true }),
        mockServices.rootConfig.factory({
          data: {
            catalog: {
              rules: [{ allow: ['Component', 'Resource', 'Location'] }],
              locations: [
                {
                  type: 'file',
                  target: path.join(dir, 'catalog-info.yaml'),
                },
              ],
            },
            ...motoConfigData(moto.endpoint),
          },
        }),
      ],
    });
    try {
      const credentials = mockCredentials.service();
      const entity = (ref: string) =>
        catalog!.getEntityByRef(ref, { credentials });
      expect(
        await eventually(() => entity('component:default/fraud-score'), 20_000),
      ).toBeDefined();
      expect(await entity('resource:default/fraud-score-dev')).toBeUndefined();

      await events!.publish({
        topic: CLUSTER_DISCOVERY_REQUESTED_TOPIC,
        eventPayload: {
          entityRef: 'component:default/fraud-score',
          environment: 'dev',
        },
      });

      const cluster: Entity | undefined = await eventually(
        () => entity('resource:default/fraud-score-dev'),
        20_000,
      );
      expect(cluster?.spec).toMatchObject({
        type: 'kubernetes-cluster',
        dependencyOf: ['component:default/fraud-score'],
      });
      expect(await locatedClusters(catalog!)).toEqual([
        expect.objectContaining({
          name: 'fraud-score-dev',
          url: CLUSTER_ENDPOINT,
        }),
      ]);
    } finally {
      await backend.stop();
    }
  });
});
