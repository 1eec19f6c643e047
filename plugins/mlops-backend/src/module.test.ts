import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import { JsonObject } from '@backstage/types';
import request from 'supertest';
import { MOTO_ACCOUNT_ID, MotoServer } from '@internal/moto-server';
import {
  iamSnapshot,
  motoGithubConfig,
  PLATFORM_GITHUB_CONFIG,
  seedPlatformPolicies,
  startIamMoto,
} from './__testUtils__/iamMoto';
import { scaffolderModuleMlops } from './module';

jest.setTimeout(120_000);

// The scaffolder's database, destroyed after the tests: the backend's own
// SQLite pools outlive its stop() and would keep the test worker alive.
const databases = TestDatabases.create({
  ids: ['SQLITE_3'],
  disableDocker: true,
});

const template = {
  apiVersion: 'scaffolder.backstage.io/v1beta3',
  kind: 'Template',
  metadata: { name: 'bootstrap-aws', title: 'Bootstrap AWS for an ML service' },
  spec: {
    owner: 'group:ml-platform',
    type: 'service',
    parameters: [
      {
        type: 'object',
        required: ['name', 'awsRegion'],
        properties: {
          name: { type: 'string' },
          awsRegion: { type: 'string' },
        },
      },
    ],
    steps: [
      {
        id: 'tfstate',
        name: 'Terraform state bucket',
        action: 'mlops:tfstate:ensure',
        input: {
          bucketName: 'tfstate-${{ parameters.name }}',
          region: '${{ parameters.awsRegion }}',
          accountId: MOTO_ACCOUNT_ID,
          stateKeyPrefix: '${{ parameters.name }}',
        },
      },
      {
        id: 'ecr',
        name: 'ECR repository',
        action: 'mlops:ecr:ensure',
        input: {
          repositoryName: 'ml/${{ parameters.name }}',
          region: '${{ parameters.awsRegion }}',
          accountId: MOTO_ACCOUNT_ID,
        },
      },
      {
        id: 'ci-roles',
        name: 'GitHub Actions roles',
        action: 'mlops:github-oidc:ensure',
        input: {
          githubOwner: 'acme',
          githubRepo: '${{ parameters.name }}',
          environments: ['dev', 'prod'],
          defaultBranch: 'main',
          namePrefix: '${{ parameters.name }}',
          region: '${{ parameters.awsRegion }}',
          accountId: MOTO_ACCOUNT_ID,
          stateBucket: '${{ steps.tfstate.output.bucketName }}',
          stateKeyPrefix: '${{ steps.tfstate.output.stateKeyPrefix }}',
        },
      },
    ],
    output: {
      planRoleArn: '${{ steps["ci-roles"].output.planRoleArn }}',
      terraformRoleArns: '${{ steps["ci-roles"].output.terraformRoleArns }}',
      ciRolesPlan: '${{ steps["ci-roles"].output.plan }}',
      backendConfig: '${{ steps.tfstate.output.backendConfig }}',
      tfstatePlan: '${{ steps.tfstate.output.plan }}',
      repositoryUri: '${{ steps.ecr.output.repositoryUri }}',
      ecrPlan: '${{ steps.ecr.output.plan }}',
    },
  },
};

/** The real scaffolder backend with this module, on SQLite, with `config` as app-config. */
async function startScaffolder(config: JsonObject) {
  return startTestBackend({
    features: [
      mockServices.database.factory({
        knex: await databases.init('SQLITE_3'),
      }),
      scaffolderPlugin,
      scaffolderModuleMlops,
      catalogServiceMock.factory(),
      mockServices.rootConfig.factory({ data: config }),
    ],
  });
}

describe('scaffolder dry-run through the real scaffolder backend', () => {
  let moto: MotoServer;

  beforeAll(async () => {
    moto = await startIamMoto();
    await seedPlatformPolicies(moto.endpoint);
  });
  afterAll(() => moto?.stop());

  it('runs the three actions in dry-run mode and leaves AWS untouched', async () => {
    const { server } = await startScaffolder(
      motoGithubConfig(moto.endpoint).get() as JsonObject,
    );
    const before = await moto.snapshot();
    const iamBefore = await iamSnapshot(moto.endpoint);

    const res = await request(server)
      .post('/api/scaffolder/v2/dry-run')
      .set('Authorization', mockCredentials.user.header())
      .send({
        template,
        values: { name: 'churn-model', awsRegion: 'eu-west-1' },
        directoryContents: [],
      });

    expect(res.status).toBe(200);
    expect(res.body.output).toEqual({
      planRoleArn: `arn:aws:iam::${MOTO_ACCOUNT_ID}:role/churn-model-ci-plan`,
      terraformRoleArns: {
        dev: `arn:aws:iam::${MOTO_ACCOUNT_ID}:role/churn-model-dev-ci-terraform`,
        prod: `arn:aws:iam::${MOTO_ACCOUNT_ID}:role/churn-model-prod-ci-terraform`,
      },
      ciRolesPlan: [
        'would create GitHub OIDC provider "token.actions.githubusercontent.com" (audience sts.amazonaws.com)',
        expect.stringMatching(
          /^would create IAM role "churn-model-dev-ci-terraform" \(trusts repo:acme\/churn-model:environment:dev;/,
        ),
        expect.stringMatching(
          /^would create IAM role "churn-model-prod-ci-terraform" /,
        ),
        expect.stringMatching(/^would create IAM role "churn-model-ci-plan" /),
      ],
      backendConfig: expect.stringContaining(
        'bucket       = "tfstate-churn-model"',
      ),
      tfstatePlan: expect.arrayContaining([
        'would create bucket "tfstate-churn-model" in eu-west-1',
      ]),
      repositoryUri:
        '123456789012.dkr.ecr.eu-west-1.amazonaws.com/ml/churn-model',
      ecrPlan: expect.arrayContaining([
        expect.stringMatching(/^would create ECR repository "ml\/churn-model"/),
      ]),
    });
    expect(res.body.steps.map((s: { id: string }) => s.id)).toEqual([
      'tfstate',
      'ecr',
      'ci-roles',
    ]);
    const log = res.body.log
      .map((entry: { body: { message: string } }) => entry.body.message)
      .join('\n');
    expect(log).toContain(
      '[dry run] would create bucket "tfstate-churn-model" in eu-west-1',
    );
    expect(await moto.snapshot()).toEqual(before);
    expect(await iamSnapshot(moto.endpoint)).toEqual(iamBefore);
  });

  it('does not start with an mlops.github.enterpriseSlug that is not a slug, naming the key', async () => {
    await expect(
      startScaffolder({
        mlops: {
          github: { ...PLATFORM_GITHUB_CONFIG, enterpriseSlug: 'Acme' },
        },
      }),
    ).rejects.toThrow(
      /mlops\.github\.enterpriseSlug "Acme" must be the enterprise's slug/,
    );
  });
});
