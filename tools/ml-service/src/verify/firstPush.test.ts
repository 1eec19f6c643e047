import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import yaml from 'yaml';
import {
  firstPushChecks,
  FirstPushInput,
  runsOnPublish,
  unresolvedRoles,
  untrustedSubjects,
  unsetReads,
  writableRolesOnPullRequests,
} from './firstPush';
import {
  readPlatformProvided,
  RecordedStep,
  renderRecordPath,
  writeRenderRecord,
} from './renderRecord';

const ACCOUNT = '123456789012';
const arn = (role: string) => `arn:aws:iam::${ACCOUNT}:role/${role}`;

/** What mlops:github-oidc:ensure outputs for churn's roles, on each of its runs. */
const ciRoleOutputs = () => ({
  planRoleArn: arn('churn-ci-plan'),
  trainingRoleArn: arn('churn-ci-training'),
  terraformRoleArns: {
    dev: arn('churn-dev-ci-terraform'),
    prod: arn('churn-prod-ci-terraform'),
  },
});

/** The steps of a render with two environments, in the template's order. */
function steps(): RecordedStep[] {
  const environment = (name: string): RecordedStep => ({
    stepId: 'environments',
    action: 'github:environment:create',
    input: {
      repoUrl: 'github.com?owner=acme&repo=churn',
      name,
      environmentVariables: {
        AWS_TERRAFORM_ROLE_ARN: arn(`churn-${name}-ci-terraform`),
        AWS_DEPLOY_ROLE_ARN: arn(`churn-${name}-github-deploy`),
      },
    },
    output: {},
  });
  return [
    {
      stepId: 'tfstate',
      action: 'mlops:tfstate:ensure',
      input: {},
      output: {},
    },
    {
      stepId: 'ci-roles',
      action: 'mlops:github-oidc:ensure',
      input: { untrusted: true, environments: ['dev', 'prod'] },
      output: ciRoleOutputs(),
    },
    { stepId: 'fetch-base', action: 'fetch:template', input: {}, output: {} },
    {
      stepId: 'publish',
      action: 'publish:github',
      input: {
        repoUrl: 'github.com?owner=acme&repo=churn',
        defaultBranch: 'main',
        gitCommitMessage: 'Create churn from the ml-service template [skip ci]',
        repoVariables: {
          AWS_PLAN_ROLE_ARN: arn('churn-ci-plan'),
          AWS_TRAINING_ROLE_ARN: arn('churn-ci-training'),
        },
      },
      output: {},
    },
    {
      stepId: 'oidc-subject',
      action: 'mlops:github-oidc:subject',
      input: { repoUrl: 'github.com?owner=acme&repo=churn' },
      output: { subjectPrefix: 'repo:acme@1/churn@2' },
    },
    {
      stepId: 'ci-trust',
      action: 'mlops:github-oidc:ensure',
      input: {
        environments: ['dev', 'prod'],
        subjectPrefix: 'repo:acme@1/churn@2',
      },
      output: ciRoleOutputs(),
    },
    environment('dev'),
    environment('prod'),
    {
      stepId: 'register',
      action: 'catalog:register',
      input: {},
      output: {},
    },
    {
      stepId: 'dispatch',
      action: 'github:actions:dispatch',
      input: {
        repoUrl: 'github.com?owner=acme&repo=churn',
        workflowId: 'deploy.yml',
        branchOrTagName: 'main',
      },
      output: {},
    },
  ];
}

const CI = `
name: ci
on:
  pull_request:
permissions:
  contents: read
jobs:
  python:
    runs-on: ubuntu-24.04
    steps:
      - uses: aws-actions/configure-aws-credentials@b47578312673ae6fa5b5096b330d9fbac3d116df
        if: vars.AWS_TRAINING_ROLE_ARN != ''
        with:
          role-to-assume: \${{ vars.AWS_TRAINING_ROLE_ARN }}
      - run: make train
  plan:
    if: github.event.pull_request.head.repo.full_name == github.repository
    runs-on: ubuntu-24.04
    strategy:
      matrix:
        environment: [dev, prod]
    defaults:
      run:
        working-directory: terraform/envs/\${{ matrix.environment }}
    steps:
      - uses: aws-actions/configure-aws-credentials@b47578312673ae6fa5b5096b330d9fbac3d116df
        with:
          role-to-assume: \${{ vars.AWS_PLAN_ROLE_ARN }}
      - run: terraform plan -lock=false -out=tfplan
      - uses: actions/github-script@60a0d83039c74a4aee543508d2ffcb1c3799cdea
        with:
          github-token: \${{ secrets.GITHUB_TOKEN }}
          script: console.log('post the plan')
`;

const DEPLOY = `
name: deploy
on:
  push:
    branches: [main]
  workflow_dispatch:
jobs:
  plan-dev:
    runs-on: ubuntu-24.04
    steps:
      - uses: aws-actions/configure-aws-credentials@b47578312673ae6fa5b5096b330d9fbac3d116df
        with:
          role-to-assume: \${{ vars.AWS_PLAN_ROLE_ARN }}
      - run: terraform -chdir=terraform/envs/dev plan -lock=false -out=tfplan
  terraform-dev:
    needs: plan-dev
    environment: dev
    runs-on: ubuntu-24.04
    defaults:
      run:
        working-directory: terraform/envs/dev
    steps:
      - uses: aws-actions/configure-aws-credentials@b47578312673ae6fa5b5096b330d9fbac3d116df
        with:
          role-to-assume: \${{ vars.AWS_TERRAFORM_ROLE_ARN }}
      - run: terraform apply -input=false tfplan
  deploy-dev:
    needs: [terraform-dev]
    environment:
      name: dev
    runs-on: ubuntu-24.04
    steps:
      - uses: aws-actions/configure-aws-credentials@b47578312673ae6fa5b5096b330d9fbac3d116df
        with:
          role-to-assume: \${{ vars.AWS_DEPLOY_ROLE_ARN }}
      - run: kubectl apply -k k8s/overlays/dev
`;

function input(
  change: (fixture: {
    ci: any;
    deploy: any;
    steps: RecordedStep[];
    platformProvided: string[];
    values: Record<string, any>;
  }) => void = () => {},
): FirstPushInput {
  const fixture = {
    ci: yaml.parse(CI),
    deploy: yaml.parse(DEPLOY),
    steps: steps(),
    platformProvided: ['secrets.GITHUB_TOKEN', 'github.token'],
    values: { name: 'churn', environments: ['dev', 'prod'] } as Record<
      string,
      any
    >,
  };
  change(fixture);
  return {
    workflows: [
      { file: 'ci.yml', doc: fixture.ci },
      { file: 'deploy.yml', doc: fixture.deploy },
    ],
    steps: fixture.steps,
    platformProvided: fixture.platformProvided,
    values: fixture.values,
  };
}

const step = (fixture: { steps: RecordedStep[] }, id: string) =>
  fixture.steps.find(s => s.stepId === id)!;
const withRole = (job: any, role: string) => {
  job.steps[0].with['role-to-assume'] = role;
};

describe('first-push rules', () => {
  it('all pass for the contract the template follows', () => {
    const fixture = input();
    expect({
      unsetReads: unsetReads(fixture),
      unresolvedRoles: unresolvedRoles(fixture),
      writableRolesOnPullRequests: writableRolesOnPullRequests(fixture),
      runsOnPublish: runsOnPublish(fixture),
      untrustedSubjects: untrustedSubjects(fixture),
    }).toEqual({
      unsetReads: [],
      unresolvedRoles: [],
      writableRolesOnPullRequests: [],
      runsOnPublish: [],
      untrustedSubjects: [],
    });
  });

  describe('every vars.* and secrets.* a workflow reads is set', () => {
    it.each<[string, Parameters<typeof input>[0], RegExp]>([
      [
        'a secret nobody sets',
        f => {
          f.deploy.jobs['deploy-dev'].steps[1].run =
            'curl -d ok "${{ secrets.SLACK_WEBHOOK }}"';
        },
        /deploy-dev \(GitHub environment "dev"\) reads secrets\.SLACK_WEBHOOK/,
      ],
      [
        'a repository variable the publish step no longer sets',
        f => {
          step(f, 'publish').input.repoVariables = {};
        },
        /ci\.yml job plan \[environment=dev\] \(no GitHub environment\) reads vars\.AWS_PLAN_ROLE_ARN/,
      ],
      [
        'an environment variable read in a job outside that environment',
        f => {
          f.deploy.jobs['plan-dev'].steps[1].env = {
            ROLE: '${{ vars.AWS_TERRAFORM_ROLE_ARN }}',
          };
        },
        /plan-dev \(no GitHub environment\) reads vars\.AWS_TERRAFORM_ROLE_ARN/,
      ],
      [
        "an environment variable in a job's if:, evaluated before the environment",
        f => {
          f.deploy.jobs['terraform-dev'].if =
            "vars.AWS_TERRAFORM_ROLE_ARN != ''";
        },
        /terraform-dev \(if:\/environment:, before it enters an environment\) reads vars\.AWS_TERRAFORM_ROLE_ARN/,
      ],
      [
        'the training role variable without a dataset role (empty output)',
        f => {
          step(f, 'ci-roles').output.trainingRoleArn = '';
          step(f, 'publish').input.repoVariables.AWS_TRAINING_ROLE_ARN = '';
        },
        /ci\.yml job python \(no GitHub environment\) reads vars\.AWS_TRAINING_ROLE_ARN/,
      ],
      [
        'a variable set to an empty value',
        f => {
          step(f, 'publish').input.repoVariables.AWS_PLAN_ROLE_ARN = '';
        },
        /reads vars\.AWS_PLAN_ROLE_ARN/,
      ],
      [
        'GITHUB_TOKEN once platform-provided.yaml no longer lists it',
        f => {
          f.platformProvided = ['github.token'];
        },
        /reads secrets\.GITHUB_TOKEN/,
      ],
      [
        'a computed name',
        f => {
          f.deploy.jobs['deploy-dev'].steps[1].run =
            "echo ${{ vars[format('ROLE_{0}', github.run_id)] }}";
        },
        /reads vars with a computed name/,
      ],
      [
        'the whole secrets context',
        f => {
          f.deploy.env = { ALL: '${{ toJSON(secrets) }}' };
        },
        /deploy\.yml reads secrets with a computed name or as a whole/,
      ],
    ])('fails on %s', (_case, change, problem) => {
      expect(unsetReads(input(change)).join('\n')).toMatch(problem);
    });
  });

  describe('every role a job assumes exists before the job', () => {
    it('passes with roles given in the form instead of the bootstrap', () => {
      const fixture = input(f => {
        f.steps = f.steps.filter(
          s => s.stepId !== 'ci-roles' && s.stepId !== 'ci-trust',
        );
        f.values.ciRoles = 'existing';
        f.values.existingPlanRoleArn = arn('churn-ci-plan');
        f.values.existingTrainingRoleArn = arn('churn-ci-training');
        f.values.existingTerraformRoleArns = {
          dev: arn('churn-dev-ci-terraform'),
          prod: arn('churn-prod-ci-terraform'),
        };
      });
      expect(unresolvedRoles(fixture)).toEqual([]);
    });

    it.each<[string, Parameters<typeof input>[0], RegExp]>([
      [
        'a role neither the bootstrap nor the form made',
        f => {
          f.steps = f.steps.filter(
            s => s.stepId !== 'ci-roles' && s.stepId !== 'ci-trust',
          );
        },
        /terraform-dev: assumes arn:aws:iam::123456789012:role\/churn-dev-ci-terraform \(from vars\.AWS_TERRAFORM_ROLE_ARN, set by step environments\), which neither the bootstrap/,
      ],
      [
        'a bootstrap that runs after the publish',
        f => {
          const roles = step(f, 'ci-roles');
          f.steps = [...f.steps.filter(s => s !== roles), roles];
        },
        /plan-dev: assumes .*churn-ci-plan .*creates only after the step that hands it to the workflow/,
      ],
      [
        'a variable no step sets',
        f => {
          withRole(
            f.deploy.jobs['terraform-dev'],
            '${{ vars.AWS_ADMIN_ROLE }}',
          );
        },
        /terraform-dev: role-to-assume "\$\{\{ vars\.AWS_ADMIN_ROLE \}\}" is empty on the first run/,
      ],
      [
        'an expression the check cannot resolve',
        f => {
          withRole(
            f.deploy.jobs['terraform-dev'],
            "${{ format('arn:aws:iam::{0}:role/admin', vars.ACCOUNT) }}",
          );
        },
        /is not a chain of vars\.NAME/,
      ],
      [
        'a deploy role assumed before any job applies its Terraform',
        f => {
          f.deploy.jobs['deploy-dev'].needs = ['plan-dev'];
        },
        /deploy-dev: assumes .*churn-dev-github-deploy .* no job it needs applies terraform\/envs\/dev first/,
      ],
      [
        'a Terraform role assumed from a job outside its environment',
        f => {
          delete f.deploy.jobs['terraform-dev'].environment;
          f.steps
            .filter(s => s.stepId === 'publish')
            .forEach(s => {
              s.input.repoVariables.AWS_TERRAFORM_ROLE_ARN = arn(
                'churn-dev-ci-terraform',
              );
            });
        },
        /terraform-dev: assumes the terraform role of "dev" .* which trusts only environment:dev, from no GitHub environment/,
      ],
      [
        'the plan role assumed inside an environment',
        f => {
          f.deploy.jobs['plan-dev'].environment = 'dev';
        },
        /plan-dev: assumes the plan role .* from GitHub environment "dev"/,
      ],
      [
        'a Terraform output of a job it does not need',
        f => {
          withRole(
            f.deploy.jobs['deploy-dev'],
            '${{ needs.plan-dev.outputs.deploy_role_arn }}',
          );
        },
        /reads the outputs of plan-dev, which the job does not need[\s\S]*applies no single terraform\/envs\/<env> root/,
      ],
    ])('fails on %s', (_case, change, problem) => {
      expect(unresolvedRoles(input(change)).join('\n')).toMatch(problem);
    });

    it('accepts the deploy role from the outputs of the apply job it needs', () => {
      const fixture = input(f => {
        withRole(
          f.deploy.jobs['deploy-dev'],
          '${{ vars.AWS_UNSET || needs.terraform-dev.outputs.deploy_role_arn }}',
        );
      });
      expect(unresolvedRoles(fixture)).toEqual([]);
    });
  });

  describe('pull requests assume only read-only roles', () => {
    it.each<[string, Parameters<typeof input>[0], RegExp]>([
      [
        'a pull request job in an environment with its Terraform role',
        f => {
          f.ci.jobs.plan.environment = '${{ matrix.environment }}';
          withRole(f.ci.jobs.plan, '${{ vars.AWS_TERRAFORM_ROLE_ARN }}');
        },
        /ci\.yml job plan \[environment=dev\] runs on pull_request and assumes the terraform role of "dev"/,
      ],
      [
        'a pull request job with a literal ARN of a writing role',
        f => {
          withRole(f.ci.jobs.plan, arn('churn-prod-ci-terraform'));
        },
        /assumes the terraform role of "prod"/,
      ],
      [
        'a pull request job whose role cannot be told',
        f => {
          withRole(f.ci.jobs.plan, '${{ vars.AWS_OTHER_ROLE }}');
        },
        /cannot show is read-only/,
      ],
      [
        'a pull request calling a reusable workflow that applies',
        f => {
          f.ci.jobs.apply = { uses: './.github/workflows/deploy.yml' };
        },
        /ci\.yml job apply calls deploy\.yml job terraform-dev runs on pull_request and assumes the terraform role/,
      ],
      [
        'pull_request_target',
        f => {
          f.ci.on = { pull_request_target: {} };
        },
        /ci\.yml is triggered by pull_request_target/,
      ],
    ])('fails on %s', (_case, change, problem) => {
      expect(writableRolesOnPullRequests(input(change)).join('\n')).toMatch(
        problem,
      );
    });
  });

  describe('the CI roles trust the subject GitHub mints for the published repository', () => {
    it('passes with roles given in the form: the template makes none', () => {
      const fixture = input(f => {
        f.steps = f.steps.filter(
          s => s.stepId !== 'ci-roles' && s.stepId !== 'ci-trust',
        );
      });
      expect(untrustedSubjects(fixture)).toEqual([]);
    });

    it.each<[string, Parameters<typeof input>[0], RegExp]>([
      [
        'roles made only before publishing',
        f => {
          f.steps = f.steps.filter(s => s.stepId !== 'ci-trust');
        },
        /step ci-roles\) are made only before step publish, so they trust the name-only subject repo:OWNER\/REPO.*run mlops:github-oidc:ensure again after publish, with subjectPrefix from mlops:github-oidc:subject/,
      ],
      [
        'roles made before publishing that already trust the name-only subject',
        f => {
          delete step(f, 'ci-roles').input.untrusted;
        },
        /step ci-roles makes the CI roles before step publish trusting the name-only subject: should publishing fail \(the name is taken\), they would trust a repository of that name made outside Backstage\. Give it untrusted: true/,
      ],
      [
        'a re-run without the subject read from GitHub',
        f => {
          delete step(f, 'ci-trust').input.subjectPrefix;
        },
        /step ci-trust trusts the subject prefix "\(none: name-only\)", not one mlops:github-oidc:subject read after publishing \(step oidc-subject: "repo:acme@1\/churn@2"\)/,
      ],
      [
        'the subject read before publishing',
        f => {
          const read = step(f, 'oidc-subject');
          f.steps = f.steps.filter(s => s !== read);
          f.steps.splice(1, 0, read);
        },
        /not one mlops:github-oidc:subject read after publishing \(no such step\)/,
      ],
      [
        'the subject of another repository',
        f => {
          step(f, 'oidc-subject').input.repoUrl =
            'github.com?owner=acme&repo=other';
        },
        /step oidc-subject reads github\.com\?owner=acme&repo=other, not the published github\.com\?owner=acme&repo=churn/,
      ],
      [
        're-trusting after the first run started',
        f => {
          const dispatch = step(f, 'dispatch');
          f.steps = f.steps.filter(s => s !== dispatch);
          f.steps.splice(
            f.steps.findIndex(s => s.stepId === 'ci-trust'),
            0,
            dispatch,
          );
        },
        /step ci-trust re-trusts the CI roles after step dispatch started the first run/,
      ],
    ])('fails on %s', (_case, change, problem) => {
      expect(untrustedSubjects(input(change)).join('\n')).toMatch(problem);
    });
  });

  describe('no workflow runs on the publish commit', () => {
    it.each<[string, Parameters<typeof input>[0], RegExp]>([
      [
        'a commit message without a skip marker',
        f => {
          step(f, 'publish').input.gitCommitMessage =
            'Create churn from the ml-service template';
        },
        /carries none of \[skip ci\]/,
      ],
      [
        'the action default commit message',
        f => {
          delete step(f, 'publish').input.gitCommitMessage;
        },
        /\(the action default\)/,
      ],
      [
        'a trigger the marker does not cover',
        f => {
          f.deploy.on.create = {};
        },
        /deploy\.yml is triggered by create/,
      ],
      [
        'a workflow_run chained to a push workflow',
        f => {
          f.ci.on = { workflow_run: { workflows: ['deploy'] } };
        },
        /ci\.yml is triggered by workflow_run/,
      ],
      [
        'a dispatch before the environments exist',
        f => {
          const dispatch = step(f, 'dispatch');
          f.steps = f.steps.filter(s => s !== dispatch);
          f.steps.splice(4, 0, dispatch);
        },
        /dispatch \(github:actions:dispatch\) runs before step environments/,
      ],
      [
        'no dispatch',
        f => {
          f.steps = f.steps.filter(s => s.stepId !== 'dispatch');
        },
        /nothing starts the first deployment/,
      ],
      [
        'a dispatched workflow without workflow_dispatch',
        f => {
          delete f.deploy.on.workflow_dispatch;
        },
        /dispatches deploy\.yml, which has no workflow_dispatch trigger/,
      ],
      [
        'a dispatch on another branch',
        f => {
          step(f, 'dispatch').input.branchOrTagName = 'master';
        },
        /not the published default branch "main"/,
      ],
    ])('fails on %s', (_case, change, problem) => {
      expect(runsOnPublish(input(change)).join('\n')).toMatch(problem);
    });
  });
});

describe('first-push checks of a rendered directory', () => {
  let repoDir: string;
  beforeAll(async () => {
    repoDir = await fs.mkdtemp(path.join(os.tmpdir(), 'first-push-'));
    await fs.mkdir(path.join(repoDir, '.github', 'workflows'), {
      recursive: true,
    });
    await fs.writeFile(path.join(repoDir, '.github/workflows/ci.yml'), CI);
    await fs.writeFile(
      path.join(repoDir, '.github/workflows/deploy.yml'),
      DEPLOY,
    );
  });
  afterAll(() =>
    Promise.all([
      fs.rm(repoDir, { recursive: true, force: true }),
      fs.rm(renderRecordPath(repoDir), { force: true }),
    ]),
  );

  it('fail, saying how to make one, without a render record', async () => {
    await expect(
      firstPushChecks(repoDir, renderRecordPath(repoDir)),
    ).rejects.toThrow(
      /no render record at .*\.render\.json: render the directory with `yarn ml-service:render/,
    );
  });

  it('read the record written beside the directory, never inside it', async () => {
    const file = await writeRenderRecord(repoDir, {
      values: { name: 'churn' },
      steps: steps(),
      platformProvided: await readPlatformProvided(
        path.resolve(__dirname, '../../../../templates/ml-service'),
      ),
    });
    expect(path.dirname(file)).toBe(path.dirname(repoDir));
    const checks = await firstPushChecks(repoDir, file);
    const outcomes = await Promise.all(
      checks.map(check =>
        check.run().then(
          () => `${check.name}: pass`,
          error => `${check.name}: ${error.message}`,
        ),
      ),
    );
    expect(outcomes).toEqual(checks.map(check => `${check.name}: pass`));
  });
});
