import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockServices } from '@backstage/backend-test-utils';
import {
  Entity,
  FieldFormatEntityPolicy,
  resourceEntityV1alpha1Validator,
} from '@backstage/catalog-model';
import { EntityProviderConnection } from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  MOTO_CREDENTIALS,
  MotoServer,
  startMotoServer,
} from '@internal/moto-server';
import { motoConfig } from '../__testUtils__/actionHarness';
import { locatedClusters } from '../__testUtils__/catalogClusterLocator';
import { serviceWithStates } from '../__testUtils__/clusterDiscovery';
import { createBucket, motoS3Client } from '../__testUtils__/deployRecordsMoto';
import { AwsClientFactory } from '../aws/AwsClientFactory';
import { parseTfstateAnnotation } from '../aws/terraformState';
import { TerraformStateClusterProvider } from './TerraformStateClusterProvider';

jest.setTimeout(120_000);

const BUCKET = 'fraud-score-tfstate-123456789012';
const PREFIX = 'fraud-score';
const CA = Buffer.from(
  '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
).toString('base64');

/** The env root's cluster outputs (same names and types as templates/ml-service/environment/terraform/envs/<env>/outputs.tf). */
function clusterOutputs(environment: string, extra = ''): string {
  return `
resource "terraform_data" "cluster" {
  input = {
    name     = "fraud-score-${environment}"
    endpoint = "https://0123456789ABCDEF${environment.toUpperCase()}.gr7.eu-west-1.eks.amazonaws.com"
    arn      = "arn:aws:eks:eu-west-1:123456789012:cluster/fraud-score-${environment}"
    ca       = "${CA}"
  }
}
output "environment" { value = "${environment}" }
output "aws_region" { value = "eu-west-1" }
output "cluster_name" { value = terraform_data.cluster.output.name }
output "cluster_endpoint" { value = terraform_data.cluster.output.endpoint }
output "cluster_arn" { value = terraform_data.cluster.output.arn }
output "cluster_certificate_authority_data" { value = terraform_data.cluster.output.ca }
output "cluster_created" { value = true }
output "bucket_names" { value = { models = "m", data = "d" } }
${extra}
`;
}

/** `terraform init` + `apply` of `config` with the S3 backend on moto: a state written by a real apply. */
function terraformApply(endpoint: string, key: string, config: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-tfstate-'));
  try {
    fs.writeFileSync(
      path.join(dir, 'main.tf'),
      `terraform {\n  backend "s3" {}\n}\n${config}`,
    );
    fs.writeFileSync(
      path.join(dir, 'test.s3.tfbackend'),
      [
        `bucket = "${BUCKET}"`,
        `key = "${key}"`,
        'region = "eu-west-1"',
        `endpoints = { s3 = "${endpoint}" }`,
        'use_path_style = true',
        'skip_credentials_validation = true',
        'skip_requesting_account_id = true',
        'skip_metadata_api_check = true',
        'skip_region_validation = true',
      ].join('\n'),
    );
    fs.writeFileSync(path.join(dir, 'cli.tfrc'), '');
    const env = {
      ...process.env,
      TF_CLI_CONFIG_FILE: path.join(dir, 'cli.tfrc'),
      TF_IN_AUTOMATION: '1',
      AWS_ACCESS_KEY_ID: MOTO_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey,
    };
    const run = (args: string[]) =>
      execFileSync('terraform', args, { cwd: dir, env, stdio: 'pipe' });
    run(['init', '-input=false', '-backend-config=test.s3.tfbackend']);
    run(['apply', '-auto-approve', '-input=false']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const component = serviceWithStates(BUCKET);

describe('TerraformStateClusterProvider against moto', () => {
  let moto: MotoServer;
  let s3: S3Client;

  beforeAll(async () => {
    moto = await startMotoServer();
  });
  afterAll(() => moto?.stop());
  beforeEach(async () => {
    await moto.reset();
    s3 = motoS3Client(moto);
    await createBucket(s3, BUCKET);
  });

  async function run(entities: Entity[] = [component]) {
    const logger = mockServices.logger.mock();
    const provider = new TerraformStateClusterProvider({
      catalog: catalogServiceMock({ entities }),
      auth: mockServices.auth(),
      logger,
      awsClientFactory: AwsClientFactory.fromConfig(motoConfig(moto.endpoint)),
    });
    const connection = {
      applyMutation: jest.fn(),
      refresh: jest.fn(),
    } satisfies EntityProviderConnection;
    await provider.connect(connection);
    await provider.refresh();
    expect(connection.applyMutation).toHaveBeenCalledTimes(1);
    const mutation = connection.applyMutation.mock.calls[0][0];
    expect(mutation.type).toBe('full');
    const warnings = logger.warn.mock.calls.map(([message]) => message);
    return {
      entities: mutation.entities.map((e: { entity: Entity }) => e.entity),
      warnings,
    };
  }

  const put = (key: string, body: string) =>
    s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));

  it('turns states written by terraform apply into clusters the catalog cluster locator accepts', async () => {
    terraformApply(
      moto.endpoint,
      `${PREFIX}/dev/terraform.tfstate`,
      clusterOutputs(
        'dev',
        'output "token" {\n  value = "do-not-leak"\n  sensitive = true\n}',
      ),
    );
    terraformApply(
      moto.endpoint,
      `${PREFIX}/prod/terraform.tfstate`,
      clusterOutputs('prod'),
    );

    const { entities, warnings } = await run();

    expect(warnings).toEqual([]);
    expect(entities.map((e: Entity) => e.metadata.name)).toEqual([
      'fraud-score-dev',
      'fraud-score-prod',
    ]);
    expect(entities[0]).toEqual({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Resource',
      metadata: {
        name: 'fraud-score-dev',
        namespace: 'default',
        description: expect.stringContaining('fraud-score (dev)'),
        annotations: {
          'backstage.io/managed-by-location': `url:s3://${BUCKET}/${PREFIX}/dev/terraform.tfstate`,
          'backstage.io/managed-by-origin-location': `url:s3://${BUCKET}/${PREFIX}/dev/terraform.tfstate`,
          'kubernetes.io/api-server':
            'https://0123456789ABCDEFDEV.gr7.eu-west-1.eks.amazonaws.com',
          'kubernetes.io/api-server-certificate-authority': CA,
          'kubernetes.io/auth-provider': 'aws',
          'kubernetes.io/x-k8s-aws-id': 'fraud-score-dev',
          'mlops/aws-region': 'eu-west-1',
        },
      },
      spec: {
        type: 'kubernetes-cluster',
        owner: 'group:ml-team',
        dependencyOf: ['component:default/fraud-score'],
      },
    });
    expect(JSON.stringify(entities)).not.toContain('do-not-leak');
    for (const entity of entities) {
      // What the catalog checks before it stores a Resource.
      await expect(resourceEntityV1alpha1Validator.check(entity)).resolves.toBe(
        true,
      );
      await expect(
        new FieldFormatEntityPolicy().enforce(entity),
      ).resolves.toBeDefined();
    }

    const clusters = await locatedClusters(
      catalogServiceMock({ entities: [component, ...entities] }),
    );
    expect(clusters).toEqual([
      expect.objectContaining({
        name: 'fraud-score-dev',
        url: 'https://0123456789ABCDEFDEV.gr7.eu-west-1.eks.amazonaws.com',
        caData: CA,
        authMetadata: expect.objectContaining({
          'kubernetes.io/auth-provider': 'aws',
          'kubernetes.io/x-k8s-aws-id': 'fraud-score-dev',
        }),
      }),
      expect.objectContaining({ name: 'fraud-score-prod' }),
    ]);
  });

  it('yields no entity and one warning for a malformed or incomplete state, and nothing from a folder without one', async () => {
    // Not an environment's state: a workspace's, nested deeper.
    await put(`${PREFIX}/missing/workspaces/other/terraform.tfstate`, '{}');
    await put(`${PREFIX}/malformed/terraform.tfstate`, '{"version": 4, "out');
    await put(
      `${PREFIX}/nooutputs/terraform.tfstate`,
      JSON.stringify({ version: 4, resources: [] }),
    );
    terraformApply(
      moto.endpoint,
      `${PREFIX}/noca/terraform.tfstate`,
      clusterOutputs('noca').replace(
        /output "cluster_certificate_authority_data".*\n/,
        '',
      ),
    );
    terraformApply(
      moto.endpoint,
      `${PREFIX}/sensitive/terraform.tfstate`,
      clusterOutputs('sensitive').replace(
        /output "cluster_endpoint" \{ value = (.*) \}\n/,
        'output "cluster_endpoint" {\n  value = $1\n  sensitive = true\n}\n',
      ),
    );

    const { entities, warnings } = await run();

    expect(entities).toEqual([]);
    expect(warnings).toHaveLength(4);
    expect(warnings).toEqual([
      expect.stringMatching(
        /fraud-score environment malformed .*: the state is not valid JSON/,
      ),
      expect.stringMatching(
        /environment noca .*lacks .* cluster_certificate_authority_data$/,
      ),
      expect.stringMatching(/environment nooutputs .*no "outputs" object/),
      expect.stringMatching(
        /environment sensitive .*lacks .* cluster_endpoint$/,
      ),
    ]);
  });

  it('skips existing clusters, unreadable buckets and bad annotations without failing the others', async () => {
    terraformApply(
      moto.endpoint,
      `${PREFIX}/dev/terraform.tfstate`,
      clusterOutputs('dev').replace(
        'output "cluster_created" { value = true }',
        'output "cluster_created" { value = false }',
      ),
    );
    const other = (name: string, tfstate: string): Entity => ({
      ...component,
      metadata: {
        ...component.metadata,
        name,
        annotations: {
          ...component.metadata.annotations,
          'mlops/tfstate': tfstate,
        },
      },
    });

    const { entities, warnings } = await run([
      component,
      other('no-bucket', 's3://no-such-bucket-here/x'),
      other('bad-annotation', 'https://example.com/state'),
      other('not-applied', `s3://${BUCKET}/not-applied`),
    ]);

    expect(entities).toEqual([]);
    expect(warnings).toEqual([
      expect.stringMatching(
        /component:default\/no-bucket under s3:\/\/no-such-bucket-here\/x\/: NoSuchBucket/,
      ),
      expect.stringContaining(
        'component:default/bad-annotation has mlops/tfstate',
      ),
      expect.stringMatching(
        /no environment state under .*not-applied\/ for component:default\/not-applied/,
      ),
    ]);
  });

  describe('on a request for one environment', () => {
    /** A connected provider over `entities`, with the AWS calls it makes. */
    async function connected(entities: Entity[]) {
      const awsCalls: string[] = [];
      const provider = new TerraformStateClusterProvider({
        catalog: catalogServiceMock({ entities }),
        auth: mockServices.auth(),
        logger: mockServices.logger.mock(),
        awsClientFactory: AwsClientFactory.fromConfig(
          motoConfig(moto.endpoint),
          call => awsCalls.push(call.commandName),
        ),
      });
      const connection = {
        applyMutation: jest.fn(),
        refresh: jest.fn(),
      } satisfies EntityProviderConnection;
      await provider.connect(connection);
      return { provider, connection, awsCalls };
    }

    const devRequest = {
      entityRef: 'component:default/fraud-score',
      environment: 'dev',
    };

    it("adds the environment's cluster at once, as the full run would", async () => {
      terraformApply(
        moto.endpoint,
        `${PREFIX}/dev/terraform.tfstate`,
        clusterOutputs('dev'),
      );
      terraformApply(
        moto.endpoint,
        `${PREFIX}/prod/terraform.tfstate`,
        clusterOutputs('prod'),
      );
      const { provider, connection, awsCalls } = await connected([component]);

      await provider.discoverEnvironment(devRequest);

      expect(awsCalls).toEqual(['GetObjectCommand']);
      expect(connection.applyMutation).toHaveBeenCalledTimes(1);
      const [delta] = connection.applyMutation.mock.calls[0];
      expect(delta).toEqual({
        type: 'delta',
        added: [
          {
            entity: expect.objectContaining({
              kind: 'Resource',
              metadata: expect.objectContaining({ name: 'fraud-score-dev' }),
            }),
            locationKey:
              'mlops-terraform-state-clusters:component:default/fraud-score',
          },
        ],
        removed: [],
      });

      await provider.refresh();
      const [full] = connection.applyMutation.mock.calls[1];
      expect(full.entities[0]).toEqual(delta.added[0]);
    });

    it('reads nothing when the catalog has the cluster of that state already', async () => {
      for (const environment of ['dev', 'prod']) {
        terraformApply(
          moto.endpoint,
          `${PREFIX}/${environment}/terraform.tfstate`,
          clusterOutputs(environment),
        );
      }
      const first = await connected([component]);
      await first.provider.refresh();
      const [{ entities }] = first.connection.applyMutation.mock.calls[0];
      const [devCluster, prodCluster] = entities.map(
        (e: { entity: Entity }) => e.entity,
      );

      const withDev = await connected([component, devCluster]);
      await withDev.provider.discoverEnvironment(devRequest);
      expect(withDev.awsCalls).toEqual([]);
      expect(withDev.connection.applyMutation).not.toHaveBeenCalled();

      // Another environment's cluster is not this one's.
      const withProd = await connected([component, prodCluster]);
      await withProd.provider.discoverEnvironment(devRequest);
      expect(withProd.awsCalls).toEqual(['GetObjectCommand']);
      expect(withProd.connection.applyMutation).toHaveBeenCalledTimes(1);
    });

    it('adds nothing for a service without a state there, an unknown service or before it is connected', async () => {
      const { provider, connection, awsCalls } = await connected([component]);

      await provider.discoverEnvironment(devRequest);
      await provider.discoverEnvironment({
        entityRef: 'component:default/no-such-service',
        environment: 'dev',
      });
      const unconnected = new TerraformStateClusterProvider({
        catalog: catalogServiceMock({ entities: [component] }),
        auth: mockServices.auth(),
        logger: mockServices.logger.mock(),
        awsClientFactory: AwsClientFactory.fromConfig(
          motoConfig(moto.endpoint),
        ),
      });
      await unconnected.discoverEnvironment(devRequest);

      expect(awsCalls).toEqual(['GetObjectCommand']);
      expect(connection.applyMutation).not.toHaveBeenCalled();
    });
  });
});

describe('parseTfstateAnnotation', () => {
  it('reads s3://<bucket>/<prefix> and refuses anything else', () => {
    expect(parseTfstateAnnotation('s3://b-1.x/svc/')).toEqual({
      bucket: 'b-1.x',
      prefix: 'svc',
    });
    expect(parseTfstateAnnotation('s3://bucket/a/b')).toEqual({
      bucket: 'bucket',
      prefix: 'a/b',
    });
    for (const bad of [
      undefined,
      '',
      's3://bucket',
      's3://bucket/',
      'https://x/y',
      's3://Bucket/x',
      's3://bucket/../x',
    ]) {
      expect(parseTfstateAnnotation(bad)).toBeUndefined();
    }
  });
});
