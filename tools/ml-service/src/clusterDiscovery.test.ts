import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import {
  Entity,
  FieldFormatEntityPolicy,
  resourceEntityV1alpha1Validator,
} from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import {
  catalogProcessingExtensionPoint,
  EntityProvider,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import catalogModuleMlopsClusters from '@eks-mlops/backstage-plugin-mlops-backend/catalog';
import yaml from 'yaml';
import { DryRunRenderer } from './DryRunRenderer';
import { MOTO_CREDENTIALS, startMotoServer } from '@internal/moto-server';
import { DEFAULT_TEMPLATE_DIR, renderWith, writeFiles } from './render';
import { readTemplateDirectory } from './templateDirectory';
import { readValuesFile } from './values';
import { findProviderMirror } from './verify/terraform';
import {
  applyEnvironment,
  EnvironmentApply,
  verdict,
} from './verify/terraformApply';

/*
 * The Kubernetes plugin's own catalog cluster locator, from its build output
 * (the package does not export it): the test fails if a release moves it,
 * rather than checking a copy of the annotation keys it reads.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const {
  CatalogClusterLocator,
} = require('@backstage/plugin-kubernetes-backend/dist/cluster-locator/CatalogClusterLocator.cjs.js');

jest.setTimeout(15 * 60_000);

/** One new-cluster environment (dev, us-east-1): the smallest root that creates a cluster. */
const VALUES_FILE = path.resolve(
  __dirname,
  '../../../examples/values/classification-new-us-dev.yaml',
);

/**
 * A generated environment root applied against moto (state in moto's S3, as
 * the S3 backend writes it), then the mlops catalog module's provider reading
 * that state through the Component the generated catalog-info.yaml declares.
 */
describe('cluster discovery from a state written by terraform apply of a generated root', () => {
  let outDir: string;
  let moto: Awaited<ReturnType<typeof startMotoServer>>;
  let component: Entity;
  let applied: EnvironmentApply;
  let accountId: string;

  beforeAll(async () => {
    const mirror = await findProviderMirror();
    if (!mirror) {
      throw new Error(
        'no Terraform provider mirror with hashicorp/aws (set TF_PLUGIN_MIRROR): this test applies a generated root',
      );
    }
    const values = await readValuesFile(VALUES_FILE);
    accountId = String(values.awsAccountId);
    const renderer = await DryRunRenderer.start();
    try {
      const result = await renderWith(
        renderer,
        await readTemplateDirectory(DEFAULT_TEMPLATE_DIR),
        values,
      );
      outDir = await fs.mkdtemp(
        path.join(os.tmpdir(), 'ml-service-discovery-'),
      );
      await writeFiles(outDir, result);
    } finally {
      await renderer.stop();
    }
    component = yaml
      .parseAllDocuments(
        await fs.readFile(path.join(outDir, 'catalog-info.yaml'), 'utf8'),
      )
      .map(d => d.toJS())
      .find(e => e.kind === 'Component');

    moto = await startMotoServer({ awsManagedPolicies: true, accountId });
    const cliConfig = path.join(outDir, '..', `${path.basename(outDir)}.tfrc`);
    await fs.writeFile(cliConfig, '');
    applied = await applyEnvironment(outDir, 'dev', moto.endpoint, {
      mirror,
      env: { TF_CLI_CONFIG_FILE: cliConfig, CHECKPOINT_DISABLE: '1' },
    });
    await fs.rm(cliConfig, { force: true });
  });

  afterAll(async () => {
    await moto?.stop();
    if (outDir) {
      await fs.rm(outDir, { recursive: true, force: true });
    }
  });

  /** Runs the catalog module as a backend loads it, through its provider's first refresh. */
  async function discover(entities: Entity[]): Promise<Entity[]> {
    const providers: EntityProvider[] = [];
    const backend = await startTestBackend({
      extensionPoints: [
        [
          catalogProcessingExtensionPoint,
          { addEntityProvider: (p: EntityProvider) => providers.push(p) },
        ],
      ],
      features: [
        catalogModuleMlopsClusters,
        catalogServiceMock.factory({ entities }),
        // Runs the module's refresh task as soon as the provider connects.
        mockServices.scheduler.mock({
          createScheduledTaskRunner: () => ({
            run: async task => {
              await task.fn(new AbortController().signal);
            },
          }),
        }).factory,
        mockServices.rootConfig.factory({
          data: {
            aws: {
              mainAccount: MOTO_CREDENTIALS,
              accounts: [{ accountId, ...MOTO_CREDENTIALS }],
            },
            mlops: {
              aws: { endpoint: moto.endpoint },
              clusterDiscovery: {
                schedule: { frequency: { hours: 1 }, timeout: { minutes: 1 } },
              },
            },
          },
        }),
      ],
    });
    try {
      expect(providers).toHaveLength(1);
      const applyMutation = jest.fn();
      await providers[0].connect({
        applyMutation,
        refresh: jest.fn(),
      } satisfies EntityProviderConnection);
      expect(applyMutation).toHaveBeenCalled();
      const [mutation] = applyMutation.mock.calls[0];
      expect(mutation.type).toBe('full');
      return mutation.entities.map((e: { entity: Entity }) => e.entity);
    } finally {
      await backend.stop();
    }
  }

  it('applies the root against moto, with only skip-listed types left out', () => {
    expect(verdict(applied)).toMatch(/^created \d+; skipped/);
    expect(applied.counts.created).toBeGreaterThan(40);
    expect(applied.counts.missing).toEqual([]);
    expect(applied.stateKey).toBe('lead-scoring/dev/terraform.tfstate');
  });

  it('turns the state into a kubernetes-cluster Resource the catalog cluster locator accepts', async () => {
    expect(component.metadata.annotations?.['mlops/tfstate']).toBe(
      's3://lead-scoring-tfstate-123456789012/lead-scoring',
    );

    const entities = await discover([component]);

    expect(entities).toHaveLength(1);
    const [cluster] = entities;
    expect(cluster).toMatchObject({
      kind: 'Resource',
      metadata: {
        name: 'lead-scoring-dev',
        annotations: {
          'kubernetes.io/api-server': expect.stringMatching(
            /^https:\/\/[^/]+\.us-east-1\.eks\.amazonaws\.com\/?$/,
          ),
          'kubernetes.io/api-server-certificate-authority':
            expect.stringMatching(/^\S{100,}$/),
          'kubernetes.io/auth-provider': 'aws',
          'kubernetes.io/x-k8s-aws-id': 'lead-scoring-dev',
        },
      },
      spec: {
        type: 'kubernetes-cluster',
        owner: component.spec?.owner,
        dependencyOf: [`component:default/${component.metadata.name}`],
      },
    });
    await expect(resourceEntityV1alpha1Validator.check(cluster)).resolves.toBe(
      true,
    );
    await expect(
      new FieldFormatEntityPolicy().enforce(cluster),
    ).resolves.toBeDefined();

    const locator = CatalogClusterLocator.fromConfig(
      catalogServiceMock({ entities: [component, ...entities] }),
      mockServices.auth(),
      // The locator resolves the API server's host and refuses private
      // addresses; this machine has no DNS, so the EKS domain is allowed.
      new ConfigReader({
        dangerouslyAllowClusterUrls: ['*.eks.amazonaws.com'],
      }),
      mockServices.logger.mock(),
    );
    const clusters = await locator.getClusters({
      credentials: mockCredentials.service(),
    });
    expect(clusters).toEqual([
      expect.objectContaining({
        name: 'lead-scoring-dev',
        url: cluster.metadata.annotations!['kubernetes.io/api-server'],
        caData:
          cluster.metadata.annotations![
            'kubernetes.io/api-server-certificate-authority'
          ],
        authMetadata: expect.objectContaining({
          'kubernetes.io/auth-provider': 'aws',
          'kubernetes.io/x-k8s-aws-id': 'lead-scoring-dev',
        }),
      }),
    ]);
  });

  it('yields no entity for a malformed or missing state', async () => {
    const bucket = 'lead-scoring-tfstate-123456789012';
    const s3 = new S3Client({
      endpoint: moto.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: MOTO_CREDENTIALS,
    });
    try {
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: 'broken/dev/terraform.tfstate',
          Body: '{"version": 4, "outputs": {"cluster_name": ',
        }),
      );
    } finally {
      s3.destroy();
    }
    const elsewhere = (name: string, prefix: string): Entity => ({
      ...component,
      metadata: {
        ...component.metadata,
        name,
        annotations: {
          ...component.metadata.annotations,
          'mlops/tfstate': `s3://${bucket}/${prefix}`,
        },
      },
    });

    await expect(
      discover([
        elsewhere('broken-state', 'broken'),
        elsewhere('never-applied', 'never-applied'),
      ]),
    ).resolves.toEqual([]);
  });
});
