import {
  createBackendModule,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import {
  createTemplateAction,
  parseRepoUrl,
  scaffolderActionsExtensionPoint,
} from '@backstage/plugin-scaffolder-node';
import { ScmIntegrations } from '@backstage/integration';
import scaffolderModuleMlops from '@eks-mlops/backstage-plugin-mlops-backend/scaffolder';
import fs from 'node:fs/promises';
import { once } from 'node:events';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import yaml from 'yaml';
import { ACMClient, RequestCertificateCommand } from '@aws-sdk/client-acm';
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { ECRClient, GetLifecyclePolicyCommand } from '@aws-sdk/client-ecr';
import {
  DRY_RUN_GITHUB_CONFIG,
  DryRunRenderer,
  toValueProblem,
} from './DryRunRenderer';
import {
  MOTO_ACCOUNT_ID,
  MOTO_CREDENTIALS,
  startMotoServer,
} from '@internal/moto-server';
import { seedPlatformPolicies } from './platformPolicies';
import {
  REFUSED_ACROSS_FIELDS,
  REFUSED_BY_SCHEMA,
  VALID_VALUES_FILE,
  withChange,
} from './refusedValues';
import { DEFAULT_TEMPLATE_DIR, renderWith } from './render';
import { listFiles, readTemplateDirectory } from './templateDirectory';
import { effectiveValues, readValuesFile } from './values';
import { formatResult, verifyRepository } from './verify/index';

/** Set MLOPS_VERIFY_SKIP_SLOW=1 locally to leave out the Python and `terraform test` checks; CI runs all. */
const SLOW = process.env.MLOPS_VERIFY_SKIP_SLOW !== '1';

jest.setTimeout(20 * 60_000);

// The backend's database, destroyed after the tests: Backstage's shutdown
// leaves SQLite pools open, and their timer would keep the test worker alive.
const databases = TestDatabases.create({
  ids: ['SQLITE_3'],
  disableDocker: true,
});

/**
 * Only what the template requires, for the case that used to fail after the
 * bucket and repository were created: an existing cluster and no node group
 * settings.
 */
const REQUIRED_ONLY = {
  name: 'rest-forecast',
  owner: 'group:default/forecasting',
  awsAccountId: MOTO_ACCOUNT_ID,
  clusterMode: 'existing',
  existingClusterName: 'platform-shared',
  repoUrl: 'github.com?owner=acme&repo=rest-forecast',
};

/** The template as the catalog serves it, read from this checkout. */
async function templateEntity(): Promise<Entity> {
  const file = path.join(DEFAULT_TEMPLATE_DIR, 'template.yaml');
  const entity = yaml.parse(await fs.readFile(file, 'utf8'));
  entity.metadata.namespace = 'default';
  entity.metadata.annotations = {
    'backstage.io/managed-by-location': `file:${file}`,
  };
  return entity;
}

/** What the GitHub steps of a task were asked to do, by action id. */
type GitHubRequests = Map<string, Array<Record<string, any>>>;

/**
 * GitHub's actions without GitHub: each records its input. `publish:github`
 * also keeps a copy of the workspace it was given and answers with the
 * outputs the real action gives.
 */
function recordingGitHubModule(
  requests: GitHubRequests,
  published: Map<string, string>,
) {
  const integrations = ScmIntegrations.fromConfig(mockServices.rootConfig());
  const recording = (
    id: string,
    input: Record<string, (z: any) => any>,
    handler: (ctx: any) => Promise<void> = async () => {},
  ) =>
    createTemplateAction({
      id,
      schema: { input },
      async handler(ctx) {
        requests.set(id, [...(requests.get(id) ?? []), ctx.input]);
        await handler(ctx);
      },
    });
  const anything = (z: any) => z.any();
  return createBackendModule({
    pluginId: 'scaffolder',
    moduleId: 'recording-github',
    register(reg) {
      reg.registerInit({
        deps: { scaffolder: scaffolderActionsExtensionPoint },
        async init({ scaffolder }) {
          scaffolder.addActions(
            recording(
              'publish:github',
              {
                repoUrl: z => z.string(),
                description: z => z.string(),
                defaultBranch: z => z.string(),
                repoVisibility: z => z.string(),
                gitCommitMessage: z => z.string(),
                collaborators: anything,
                repoVariables: z => z.record(z.string()),
              },
              async ctx => {
                const { owner, repo } = parseRepoUrl(
                  ctx.input.repoUrl,
                  integrations,
                );
                const copy = await fs.mkdtemp(
                  path.join(os.tmpdir(), `published-${repo}-`),
                );
                await fs.cp(ctx.workspacePath, copy, { recursive: true });
                published.set(`${owner}/${repo}`, copy);
                ctx.output('remoteUrl', `https://github.com/${owner}/${repo}`);
                ctx.output(
                  'repoContentsUrl',
                  `https://github.com/${owner}/${repo}/blob/${ctx.input.defaultBranch}`,
                );
              },
            ),
            recording('github:environment:create', {
              repoUrl: z => z.string(),
              name: z => z.string(),
              deploymentBranchPolicy: anything,
              customBranchPolicyNames: z => z.array(z.string()),
              environmentVariables: z => z.record(z.string()),
              reviewers: z => z.array(z.string()),
              preventSelfReview: z => z.boolean(),
            }),
            recording('github:actions:dispatch', {
              repoUrl: z => z.string(),
              workflowId: z => z.string(),
              branchOrTagName: z => z.string(),
              returnWorkflowRunDetails: z => z.boolean(),
            }),
          );
        },
      });
    },
  });
}

/** The IDs GitHub's API gives the published repositories: immutable subject claims, as for every new repository. */
const OWNER_ID = 4242;
const REPOSITORY_ID = 777001;

/** GitHub's answer for a repository, or for its OIDC subject template. */
function gitHubAnswer(owner: string, repo: string, subjectTemplate: boolean) {
  if (subjectTemplate) {
    return {
      use_default: true,
      use_immutable_subject: true,
      sub_claim_prefix: `repo:${owner}@${OWNER_ID}/${repo}@${REPOSITORY_ID}`,
    };
  }
  return {
    id: REPOSITORY_ID,
    name: repo,
    full_name: `${owner}/${repo}`,
    owner: { login: owner, id: OWNER_ID },
  };
}

/**
 * GitHub's REST API for what `publish:github` published: each repository, and
 * its OIDC subject template with the prefix GitHub mints for it.
 */
async function startGitHubApi(published: Map<string, string>): Promise<Server> {
  const server = createServer((req, res) => {
    const [, owner, repo, rest] =
      /^\/repos\/([^/]+)\/([^/]+)(\/actions\/oidc\/customization\/sub)?$/.exec(
        req.url ?? '',
      ) ?? [];
    const body = published.has(`${owner}/${repo}`)
      ? gitHubAnswer(owner, repo, rest !== undefined)
      : undefined;
    res
      .writeHead(body ? 200 : 404, { 'content-type': 'application/json' })
      .end(JSON.stringify(body ?? { message: 'Not Found' }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

/** Each named role as moto holds it (GetRole throws for a missing role). */
async function rolesInMoto(motoEndpoint: string, roleNames: string[]) {
  const iam = new IAMClient({
    endpoint: motoEndpoint,
    region: 'us-east-1',
    credentials: MOTO_CREDENTIALS,
  });
  try {
    const roles = [];
    for (const RoleName of roleNames) {
      roles.push((await iam.send(new GetRoleCommand({ RoleName }))).Role!);
    }
    return roles;
  } finally {
    iam.destroy();
  }
}

/** The OIDC subjects a role's trust policy accepts, read back from moto. */
async function trustedSubjects(
  motoEndpoint: string,
  roleName: string,
): Promise<string[]> {
  const [role] = await rolesInMoto(motoEndpoint, [roleName]);
  const trust = JSON.parse(decodeURIComponent(role.AssumeRolePolicyDocument!));
  return [
    trust.Statement[0].Condition.StringEquals[
      'token.actions.githubusercontent.com:sub'
    ],
  ].flat();
}

/** The role names the ARNs point at, each read back from moto. */
async function existingRoles(
  motoEndpoint: string,
  arns: string[],
): Promise<string[]> {
  const roles = await rolesInMoto(
    motoEndpoint,
    arns.map(arn => arn.split('/').pop()!),
  );
  return roles.map(role => role.RoleName!);
}

/** What each rule of the repository's lifecycle policy selects: its tag prefix, or its tag status. */
async function lifecycleSelections(
  motoEndpoint: string,
  region: string,
  repositoryName: string,
): Promise<string[]> {
  const ecr = new ECRClient({
    endpoint: motoEndpoint,
    region,
    credentials: MOTO_CREDENTIALS,
  });
  try {
    const { lifecyclePolicyText } = await ecr.send(
      new GetLifecyclePolicyCommand({ repositoryName }),
    );
    return JSON.parse(lifecyclePolicyText!).rules.map(
      (rule: { selection: { tagStatus: string; tagPrefixList?: string[] } }) =>
        rule.selection.tagPrefixList?.[0] ?? rule.selection.tagStatus,
    );
  } finally {
    ecr.destroy();
  }
}

/** A catalog holding the template; registering reads the published catalog-info.yaml. */
function catalogWith(template: Entity, published: Map<string, string>) {
  const inMemory = catalogServiceMock({ entities: [template] });
  const catalog = catalogServiceMock.mock({
    getEntityByRef: (ref, options) => inMemory.getEntityByRef(ref, options),
    addLocation: async location => {
      // https://github.com/<owner>/<repo>/tree/<branch>/catalog-info.yaml
      const [owner, repo] = new URL(location.target).pathname
        .split('/')
        .slice(1, 3);
      const text = await fs.readFile(
        path.join(published.get(`${owner}/${repo}`)!, 'catalog-info.yaml'),
        'utf8',
      );
      return {
        location: {
          id: 'published',
          type: 'url',
          target: location.target,
          entityRef: 'location:default/published',
        },
        entities: yaml.parseAllDocuments(text).map(d => d.toJS()),
        exists: false,
      };
    },
  });
  return catalog;
}

/**
 * A certificate in moto's ACM (eu-west-1): issued at once when a private CA
 * signs it, otherwise pending validation (for moto's first minute).
 */
async function requestCertificate(
  motoEndpoint: string,
  certificate: { domainName: string; issued: boolean },
): Promise<string> {
  const acm = new ACMClient({
    region: 'eu-west-1',
    endpoint: motoEndpoint,
    credentials: MOTO_CREDENTIALS,
  });
  const { CertificateArn } = await acm.send(
    new RequestCertificateCommand({
      DomainName: certificate.domainName,
      CertificateAuthorityArn: certificate.issued
        ? `arn:aws:acm-pca:eu-west-1:${MOTO_ACCOUNT_ID}:certificate-authority/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d`
        : undefined,
    }),
  );
  return CertificateArn!;
}

/** Everything moto holds: buckets, repositories, roles and the rest. */
async function motoState(motoEndpoint: string): Promise<any> {
  const res = await fetch(`${motoEndpoint}/moto-api/data.json`);
  return res.json();
}

async function s3Buckets(motoEndpoint: string): Promise<unknown> {
  return (await motoState(motoEndpoint)).s3?.FakeBucket ?? [];
}

describe('a task posted to the scaffolder REST API with only the required fields', () => {
  let moto: { endpoint: string; stop(): Promise<void> };
  let gitHubApi: Server;
  let server: Parameters<typeof request>[0];
  let stopBackend: () => Promise<void>;
  let catalog: ReturnType<typeof catalogWith>;
  const published = new Map<string, string>();
  const gitHubRequests: GitHubRequests = new Map();

  beforeAll(async () => {
    // The plan role gets AWS's ReadOnlyAccess, which moto holds only when asked to.
    moto = await startMotoServer({ awsManagedPolicies: true });
    await seedPlatformPolicies(moto.endpoint);
    catalog = catalogWith(await templateEntity(), published);
    gitHubApi = await startGitHubApi(published);
    const backend = await startTestBackend({
      features: [
        mockServices.database.factory({
          knex: await databases.init('SQLITE_3'),
        }),
        scaffolderPlugin,
        scaffolderModuleMlops,
        recordingGitHubModule(gitHubRequests, published),
        createServiceFactory({
          service: catalogServiceRef,
          deps: {},
          factory: () => catalog,
        }),
        mockServices.rootConfig.factory({
          data: {
            integrations: {
              github: [
                {
                  host: 'github.com',
                  apiBaseUrl: `http://127.0.0.1:${
                    (gitHubApi.address() as AddressInfo).port
                  }`,
                  token: 'any-token-the-stand-in-accepts',
                },
              ],
            },
            aws: {
              accounts: [{ accountId: MOTO_ACCOUNT_ID, ...MOTO_CREDENTIALS }],
            },
            mlops: {
              aws: { endpoint: moto.endpoint },
              github: DRY_RUN_GITHUB_CONFIG,
            },
          },
        }),
      ],
    });
    server = backend.server;
    stopBackend = () => backend.stop();
  });
  afterAll(async () => {
    await stopBackend?.();
    gitHubApi?.close();
    await moto?.stop();
    for (const dir of published.values()) {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  function postTask(values: Record<string, unknown>) {
    return request(server)
      .post('/api/scaffolder/v2/tasks')
      .set('Authorization', mockCredentials.user.header())
      .send({ templateRef: 'template:default/ml-service', values });
  }

  async function finished(taskId: string): Promise<Record<string, any>> {
    for (;;) {
      const res = await request(server)
        .get(`/api/scaffolder/v2/tasks/${taskId}`)
        .set('Authorization', mockCredentials.user.header());
      if (['completed', 'failed', 'cancelled'].includes(res.body.status)) {
        return res.body;
      }
      await new Promise(resolve => setTimeout(resolve, 500));
    }
  }

  async function taskLog(taskId: string): Promise<string[]> {
    const res = await request(server)
      .get(`/api/scaffolder/v2/tasks/${taskId}/events`)
      .set('Authorization', mockCredentials.user.header());
    return (res.body as any[])
      .map(event => event.body?.message)
      .filter(Boolean);
  }

  async function failureLog(taskId: string): Promise<string[]> {
    return (await taskLog(taskId)).slice(-10);
  }

  /** Posts a task and waits for it; fails with the last log lines unless it completed. */
  async function completedTask(values: Record<string, unknown>) {
    const res = await postTask(values);
    expect(res.status).toBe(201);
    const task = await finished(res.body.id);
    expect({
      status: task.status,
      log: task.status === 'completed' ? [] : await failureLog(res.body.id),
    }).toEqual({ status: 'completed', log: [] });
  }

  it.each(REFUSED_BY_SCHEMA)(
    'is refused with 400 naming the field, before anything is created: %s',
    async (_description, change, field) => {
      const before = await s3Buckets(moto.endpoint);
      const res = await postTask(withChange(REQUIRED_ONLY, change));
      expect(res.status).toBe(400);
      expect((res.body.errors as any[]).map(toValueProblem)).toEqual(
        expect.arrayContaining([expect.objectContaining({ field })]),
      );
      expect(await s3Buckets(moto.endpoint)).toEqual(before);
    },
  );

  /**
   * The valid values file (a public endpoint at churn.ml.example.com with
   * three environments), its certificate replaced by one moto has issued for
   * *.ml.example.com; `change` then breaks one rule.
   */
  async function refusedValues(change: Record<string, unknown>) {
    const values = {
      ...(await readValuesFile(VALID_VALUES_FILE)),
      awsAccountId: MOTO_ACCOUNT_ID,
      certificateArn: await requestCertificate(moto.endpoint, {
        domainName: '*.ml.example.com',
        issued: true,
      }),
      repoUrl: 'github.com?owner=acme&repo=refused-values',
    };
    return withChange(values, change);
  }

  /** Posts a task with `values`; it must fail in its first step naming `field`, with nothing created. */
  async function expectFailedBeforeAnythingIsCreated(
    values: Record<string, unknown>,
    field: string,
    message: RegExp,
  ) {
    const before = await motoState(moto.endpoint);
    const res = await postTask(values);
    expect(res.status).toBe(201);
    const task = await finished(res.body.id);
    const log = await taskLog(res.body.id);
    expect(task.status).toBe('failed');
    const failure = log.find(line => line.includes('Invalid values'));
    expect(failure).toContain(`  - ${field} `);
    expect(failure).toMatch(message);
    expect(await motoState(moto.endpoint)).toEqual(before);
    expect(
      [...gitHubRequests.values()]
        .flat()
        .filter(input => input.repoUrl === values.repoUrl),
    ).toEqual([]);
  }

  it.each(REFUSED_ACROSS_FIELDS)(
    'fails in its first step naming the field, before anything is created: %s',
    async (_description, change, field, message) => {
      await expectFailedBeforeAnythingIsCreated(
        await refusedValues(change),
        field,
        message,
      );
    },
  );

  it.each([
    [
      'a certificate still pending validation',
      { domainName: '*.ml.example.com', issued: false },
      /certificateArn is still pending validation in ACM/,
    ],
    [
      'a certificate that covers only the last environment',
      { domainName: 'churn.ml.example.com', issued: true },
      /certificateArn does not cover dev-churn\.ml\.example\.com \(dev\), staging-churn\.ml\.example\.com \(staging\); it names churn\.ml\.example\.com:/,
    ],
  ])(
    'fails in its first step, before anything is created, given %s',
    async (_description, certificate, message) => {
      const values = {
        ...(await refusedValues({})),
        certificateArn: await requestCertificate(moto.endpoint, certificate),
      };
      await expectFailedBeforeAnythingIsCreated(
        values,
        'certificateArn',
        message,
      );
    },
  );

  it('fails in its first step, before anything is created, given a certificate ARN ACM does not hold', async () => {
    await expectFailedBeforeAnythingIsCreated(
      await readValuesFile(VALID_VALUES_FILE).then(values =>
        refusedValues({ certificateArn: values.certificateArn }),
      ),
      'certificateArn',
      /certificateArn names no certificate in ACM of account 123456789012, region eu-west-1/,
    );
  });

  it('completes, and publishes the repository the form would have rendered, which passes verify', async () => {
    await completedTask(REQUIRED_ONLY);

    // Wired before the first run: roles in AWS, variables and environments on GitHub, one dispatch.
    const [publish] = gitHubRequests.get('publish:github')!;
    expect(publish).toMatchObject({
      repoVisibility: 'private',
      gitCommitMessage: expect.stringContaining('[skip ci]'),
    });
    expect(Object.keys(publish.repoVariables)).toEqual([
      'AWS_PLAN_ROLE_ARN',
      'DEPLOY_RUNS_ON',
    ]);
    expect(publish.repoVariables.DEPLOY_RUNS_ON).toBe('ubuntu-24.04');
    const environments = gitHubRequests.get('github:environment:create')!;
    expect(environments.map(e => e.name)).toEqual(['dev', 'prod']);
    for (const environment of environments) {
      expect(environment).toMatchObject({
        customBranchPolicyNames: ['main'],
        environmentVariables: {
          AWS_TERRAFORM_ROLE_ARN: `arn:aws:iam::${MOTO_ACCOUNT_ID}:role/rest-forecast-${environment.name}-ci-terraform`,
          AWS_DEPLOY_ROLE_ARN: `arn:aws:iam::${MOTO_ACCOUNT_ID}:role/rest-forecast-${environment.name}-github-deploy`,
          // A string: GitHub variables are text, and the workflow compares with "true".
          REQUIRE_REVIEWERS: environment.name === 'prod' ? 'true' : 'false',
        },
      });
    }
    expect(environments[1]).toMatchObject({
      reviewers: [REQUIRED_ONLY.owner],
      preventSelfReview: true,
    });
    expect(
      await existingRoles(moto.endpoint, [
        publish.repoVariables.AWS_PLAN_ROLE_ARN,
        ...environments.map(e => e.environmentVariables.AWS_TERRAFORM_ROLE_ARN),
      ]),
    ).toEqual([
      'rest-forecast-ci-plan',
      'rest-forecast-dev-ci-terraform',
      'rest-forecast-prod-ci-terraform',
    ]);
    // Trusting the subject GitHub mints for the new repository, read once it was published.
    const prefix = `repo:acme@${OWNER_ID}/rest-forecast@${REPOSITORY_ID}`;
    expect(
      await trustedSubjects(moto.endpoint, 'rest-forecast-prod-ci-terraform'),
    ).toEqual([`${prefix}:environment:prod`]);
    expect(
      await trustedSubjects(moto.endpoint, 'rest-forecast-ci-plan'),
    ).toEqual([`${prefix}:pull_request`, `${prefix}:ref:refs/heads/main`]);
    expect(gitHubRequests.get('github:actions:dispatch')).toEqual([
      expect.objectContaining({
        workflowId: 'deploy.yml',
        branchOrTagName: 'main',
      }),
    ]);
    // The images the deploy workflow tags <env>-run-<id> are kept per environment, prod's first.
    expect(
      await lifecycleSelections(moto.endpoint, 'eu-west-1', 'rest-forecast'),
    ).toEqual(['untagged', 'prod', 'dev', 'any']);

    const repoDir = published.get('acme/rest-forecast')!;
    expect(catalog.addLocation).toHaveBeenCalledWith(
      {
        type: 'url',
        target:
          'https://github.com/acme/rest-forecast/tree/main/catalog-info.yaml',
      },
      expect.anything(),
    );

    const templateDirectory = await readTemplateDirectory(DEFAULT_TEMPLATE_DIR);
    const renderer = await DryRunRenderer.start();
    const fromForm = await renderWith(
      renderer,
      templateDirectory,
      effectiveValues(templateDirectory.template, REQUIRED_ONLY),
    ).finally(() => renderer.stop());
    const publishedFiles = await listFiles(repoDir);
    expect(publishedFiles.sort()).toEqual(
      fromForm.files.map(file => file.path).sort(),
    );
    for (const file of fromForm.files) {
      const text = await fs.readFile(path.join(repoDir, file.path), 'utf8');
      expect({ file: file.path, text }).toEqual({
        file: file.path,
        text: Buffer.from(file.base64Content, 'base64').toString('utf8'),
      });
    }

    const results = await verifyRepository(repoDir, REQUIRED_ONLY.name, {
      slow: SLOW,
    });
    expect(results.filter(r => r.status !== 'pass').map(formatResult)).toEqual(
      [],
    );
  });
  it("lets a user who is prod's only reviewer approve their own runs, which GitHub would otherwise hold forever", async () => {
    const solo = {
      ...REQUIRED_ONLY,
      name: 'solo-forecast',
      owner: 'user:default/jane',
      repoUrl: 'github.com?owner=acme&repo=solo-forecast',
    };
    await completedTask(solo);

    const prod = gitHubRequests
      .get('github:environment:create')!
      .filter(e => e.repoUrl === solo.repoUrl && e.name === 'prod');
    expect(prod).toEqual([
      expect.objectContaining({
        reviewers: ['user:default/jane'],
        preventSelfReview: false,
      }),
    ]);
  });
});
