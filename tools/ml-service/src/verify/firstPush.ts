/*
 * The first-push contract: a repository the template publishes deploys on its
 * first run with no hand edits. Each rule is a pure function of the generated
 * workflows, the template steps the render ran (with their rendered inputs
 * and outputs) and the platform-provided list, and returns its problems.
 */
import { alternatives, ContextName, embeddedExpressions } from './expressions';
import { readRenderRecord, RecordedStep, RenderRecord } from './renderRecord';
import { Check } from './types';
import {
  appliedEnvironments,
  calledRuns,
  isRecord,
  JobRun,
  jobRuns,
  needsAncestors,
  needsOf,
  readsIn,
  readWorkflows,
  triggersOf,
  Workflow,
} from './workflowModel';

export interface FirstPushInput {
  workflows: Workflow[];
  steps: RecordedStep[];
  platformProvided: string[];
  /** The values the template was rendered with (service name, roles given in the form). */
  values: Record<string, unknown>;
}

const PUBLISH = 'publish:github';
const ENVIRONMENT = 'github:environment:create';
const DISPATCH = 'github:actions:dispatch';
const CI_ROLES = 'mlops:github-oidc:ensure';
const OIDC_SUBJECT = 'mlops:github-oidc:subject';
const CONFIGURE_AWS_CREDENTIALS = /^aws-actions\/configure-aws-credentials@/;

/** The input fields through which each GitHub action sets variables and secrets. */
const SETTER_FIELDS: Record<string, Record<ContextName, string>> = {
  [PUBLISH]: { vars: 'repoVariables', secrets: 'secrets' },
  'github:repo:create': { vars: 'repoVariables', secrets: 'secrets' },
  [ENVIRONMENT]: { vars: 'environmentVariables', secrets: 'secrets' },
};

/** A variable or secret a template step sets, on the repository or on one environment. */
interface Setter {
  stepIndex: number;
  stepId: string;
  environment?: string;
  context: ContextName;
  name: string;
  value: unknown;
}

function settersOf(steps: RecordedStep[]): Setter[] {
  return steps.flatMap((step, stepIndex) => {
    const fields = SETTER_FIELDS[step.action];
    if (!fields) {
      return [];
    }
    const environment =
      step.action === ENVIRONMENT ? String(step.input.name) : undefined;
    return (['vars', 'secrets'] as const).flatMap(context =>
      Object.entries(step.input[fields[context]] ?? {}).map(
        ([name, value]) => ({
          stepIndex,
          stepId: step.stepId,
          environment,
          context,
          name,
          value,
        }),
      ),
    );
  });
}

/** GitHub refuses empty variables, and an empty secret is no credential. */
const isSet = (setter: Setter) =>
  setter.value !== undefined && setter.value !== null && setter.value !== '';

/**
 * What a job sees for `vars.X`/`secrets.X`: its environment's value first,
 * then the repository's (GitHub's precedence).
 */
function effectiveSetter(
  setters: Setter[],
  context: ContextName,
  name: string,
  environment: string | undefined | null,
): Setter | undefined {
  const candidates = setters.filter(
    s => s.context === context && s.name === name && isSet(s),
  );
  return (
    candidates.find(s => environment && s.environment === environment) ??
    candidates.find(s => s.environment === undefined)
  );
}

/** `ci.yml job plan [environment=dev]`, `ci.yml job apply calls deploy.yml job terraform-dev`. */
function where(run: JobRun): string {
  const caller = run.calledBy ? `${run.calledBy} calls ` : '';
  const combination = Object.entries(run.matrix)
    .map(
      ([key, value]) =>
        `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`,
    )
    .join(', ');
  return `${caller}${run.workflow.file} job ${run.id}${
    combination ? ` [${combination}]` : ''
  }`;
}

function describeEnvironment(environment: string | undefined | null): string {
  if (environment === null) {
    return 'a computed GitHub environment';
  }
  return environment
    ? `GitHub environment "${environment}"`
    : 'no GitHub environment';
}

/**
 * Rule: every `vars.X` and `secrets.X` a workflow reads is set by a template
 * step (on the repository, or on the environment the job runs in) or is in
 * platform-provided.yaml. A job's `if:` and `environment:` are evaluated
 * before the job enters its environment, so only repository values count there.
 */
export function unsetReads(input: FirstPushInput): string[] {
  const setters = settersOf(input.steps);
  const problems = new Set<string>();
  const check = (
    node: unknown,
    environment: string | undefined | null,
    place: string,
  ) => {
    for (const read of readsIn(node)) {
      if (read.name === null) {
        problems.add(
          `${place} reads ${read.context} with a computed name or as a whole; only ${read.context}.NAME can be checked`,
        );
        continue;
      }
      const reference = `${read.context}.${read.name}`;
      if (
        !input.platformProvided.includes(reference) &&
        !effectiveSetter(setters, read.context, read.name, environment)
      ) {
        const setBy = environment
          ? `publish:github repoVariables/secrets, github:environment:create for "${environment}"`
          : 'publish:github repoVariables/secrets';
        problems.add(
          `${place} reads ${reference}, which no template step sets (${setBy}) and platform-provided.yaml does not list`,
        );
      }
    }
  };
  for (const workflow of input.workflows) {
    const { jobs: _jobs, ...workflowLevel } = workflow.doc;
    check(workflowLevel, undefined, workflow.file);
    for (const run of jobRuns(workflow)) {
      const { if: condition, environment, ...inEnvironment } = run.job;
      check(
        { if: condition, environment },
        undefined,
        `${where(run)} (if:/environment:, before it enters an environment)`,
      );
      check(
        inEnvironment,
        run.environment,
        `${where(run)} (${describeEnvironment(run.environment)})`,
      );
    }
  }
  return [...problems];
}

type RoleKind = 'plan' | 'training' | 'terraform' | 'deploy';

/** A role the check knows who made, and so whom it trusts. */
interface KnownRole {
  kind: RoleKind;
  environment?: string;
  origin: string;
  /** The bootstrap step that made it; absent for roles given in the form. */
  stepIndex?: number;
}

function rolesMadeByTheBootstrap(
  steps: RecordedStep[],
): Map<string, KnownRole> {
  const roles = new Map<string, KnownRole>();
  steps.forEach((step, stepIndex) => {
    if (step.action !== CI_ROLES) {
      return;
    }
    const origin = `step ${step.stepId} (${CI_ROLES})`;
    // A later run of the action (re-trusting the roles) does not make them any earlier.
    const add = (arn: unknown, kind: RoleKind, environment?: string) => {
      if (typeof arn === 'string' && arn && !roles.has(arn)) {
        roles.set(arn, { kind, environment, origin, stepIndex });
      }
    };
    add(step.output.planRoleArn, 'plan');
    add(step.output.trainingRoleArn, 'training');
    for (const [env, arn] of Object.entries(
      step.output.terraformRoleArns ?? {},
    )) {
      add(arn, 'terraform', env);
    }
  });
  return roles;
}

function rolesGivenInTheForm(
  values: Record<string, unknown>,
): Map<string, KnownRole> {
  const roles = new Map<string, KnownRole>();
  const add = (arn: unknown, kind: RoleKind, field: string, env?: string) => {
    if (typeof arn === 'string' && arn) {
      roles.set(arn, { kind, environment: env, origin: `the form (${field})` });
    }
  };
  add(values.existingPlanRoleArn, 'plan', 'existingPlanRoleArn');
  add(values.existingTrainingRoleArn, 'training', 'existingTrainingRoleArn');
  const terraform = isRecord(values.existingTerraformRoleArns)
    ? values.existingTerraformRoleArns
    : {};
  for (const [env, arn] of Object.entries(terraform)) {
    add(arn, 'terraform', `existingTerraformRoleArns.${env}`, env);
  }
  return roles;
}

const escapeRegExp = (text: string) =>
  text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The environment of `<service>-<env>-github-deploy`, the role terraform/modules/iam creates. */
function deployRoleEnvironment(
  arn: string,
  serviceName: string,
): string | undefined {
  return new RegExp(
    `^arn:[\\w-]+:iam::\\d{12}:role/(?:[^/]+/)*${escapeRegExp(
      serviceName,
    )}-([a-z0-9-]+)-github-deploy$`,
  ).exec(arn)?.[1];
}

/** Where the ARN a `role-to-assume` names comes from on the first run. */
type RoleSource =
  | { arn: string; setter?: Setter }
  | { terraformOutputOf: string }
  | { problem: string };

function resolveRoleToAssume(
  value: string,
  run: JobRun,
  setters: Setter[],
): RoleSource {
  const expressions = embeddedExpressions(value);
  if (expressions.length === 0) {
    return { arn: value.trim() };
  }
  const operands =
    expressions.length === 1 && /^\$\{\{[\s\S]*\}\}$/.test(value.trim())
      ? alternatives(expressions[0])
      : null;
  if (!operands) {
    return {
      problem: `role-to-assume "${value}" is not a chain of vars.NAME, needs.<job>.outputs.<name> and literals`,
    };
  }
  const unset: string[] = [];
  for (const operand of operands) {
    if (operand.kind === 'literal') {
      if (operand.value) {
        return { arn: operand.value };
      }
      continue;
    }
    const [first, second, third] = operand.path;
    if (operand.context === 'vars' && operand.path.length === 1) {
      const setter = effectiveSetter(setters, 'vars', first, run.environment);
      if (setter) {
        return { arn: String(setter.value), setter };
      }
      unset.push(`vars.${first}`);
    } else if (
      operand.context === 'needs' &&
      second === 'outputs' &&
      third !== undefined
    ) {
      return { terraformOutputOf: first };
    } else {
      return {
        problem: `role-to-assume "${value}" reads ${
          operand.context
        }.${operand.path.join('.')}, which the check cannot resolve`,
      };
    }
  }
  return {
    problem: `role-to-assume "${value}" is empty on the first run: no template step sets ${unset.join(
      ' or ',
    )} for ${describeEnvironment(run.environment)}`,
  };
}

/** A role a job run assumes, as far as the check could tell. */
interface Assumption {
  run: JobRun;
  value: string;
  role?: KnownRole & { arn: string };
  problems: string[];
}

function roleAssumptions(input: FirstPushInput, runs: JobRun[]): Assumption[] {
  const setters = settersOf(input.steps);
  const known = new Map([
    ...rolesMadeByTheBootstrap(input.steps),
    ...rolesGivenInTheForm(input.values),
  ]);
  const serviceName = String(input.values.name ?? '');
  const dispatchIndex = input.steps.findIndex(s => s.action === DISPATCH);
  const publishIndex = input.steps.findIndex(s => s.action === PUBLISH);
  return runs.flatMap(run =>
    (Array.isArray(run.job.steps) ? run.job.steps : [])
      .filter(
        (step: any) =>
          isRecord(step) &&
          CONFIGURE_AWS_CREDENTIALS.test(String(step.uses ?? '')) &&
          step.with?.['role-to-assume'] !== undefined,
      )
      .map((step: any): Assumption => {
        const value = String(step.with['role-to-assume']);
        const source = resolveRoleToAssume(value, run, setters);
        if ('problem' in source) {
          return { run, value, problems: [source.problem] };
        }
        if ('terraformOutputOf' in source) {
          const producer = jobRuns(run.workflow).filter(
            r => r.id === source.terraformOutputOf,
          );
          const environments = producer.flatMap(appliedEnvironments);
          const problems: string[] = [];
          if (!needsOf(run.job).includes(source.terraformOutputOf)) {
            problems.push(
              `role-to-assume "${value}" reads the outputs of ${source.terraformOutputOf}, which the job does not need`,
            );
          }
          if (environments.length !== 1) {
            problems.push(
              `role-to-assume "${value}": job ${source.terraformOutputOf} applies no single terraform/envs/<env> root, so its outputs are no deploy role`,
            );
          }
          const environment = environments[0];
          return {
            run,
            value,
            problems,
            role: {
              arn: `${source.terraformOutputOf} output`,
              kind: 'deploy',
              environment,
              origin: `Terraform in job ${source.terraformOutputOf}`,
            },
          };
        }
        const via = source.setter
          ? ` (from ${source.setter.context}.${source.setter.name}, set by step ${source.setter.stepId})`
          : '';
        const role = known.get(source.arn);
        if (role) {
          const before = Math.min(
            ...[source.setter?.stepIndex ?? publishIndex, dispatchIndex].filter(
              i => i >= 0,
            ),
          );
          const problems =
            role.stepIndex !== undefined && role.stepIndex > before
              ? [
                  `assumes ${source.arn}${via}, which ${role.origin} creates only after the step that hands it to the workflow`,
                ]
              : [];
          return { run, value, problems, role: { ...role, arn: source.arn } };
        }
        const deployEnvironment = deployRoleEnvironment(
          source.arn,
          serviceName,
        );
        if (deployEnvironment) {
          const appliers = [...needsAncestors(run.workflow, run.id)].filter(
            id =>
              jobRuns(run.workflow)
                .filter(r => r.id === id)
                .some(r => appliedEnvironments(r).includes(deployEnvironment)),
          );
          return {
            run,
            value,
            problems:
              appliers.length === 0
                ? [
                    `assumes ${source.arn}${via}, the deploy role Terraform creates for ${deployEnvironment}, but no job it needs applies terraform/envs/${deployEnvironment} first`,
                  ]
                : [],
            role: {
              arn: source.arn,
              kind: 'deploy',
              environment: deployEnvironment,
              origin: `Terraform in job ${appliers[0]}`,
            },
          };
        }
        return {
          run,
          value,
          problems: [
            `assumes ${source.arn}${via}, which neither the bootstrap (${CI_ROLES}) creates nor the form gives`,
          ],
        };
      }),
  );
}

/**
 * The subject of a job's OIDC token must be one the role trusts: the
 * Terraform and deploy roles of an environment trust only
 * `environment:<env>`; the plan and training roles trust `pull_request` and
 * the default branch, which a job inside an environment does not present.
 */
function trustProblem(assumption: Assumption): string | undefined {
  const { role, run } = assumption;
  if (!role) {
    return undefined;
  }
  const perEnvironment = role.kind === 'terraform' || role.kind === 'deploy';
  if (perEnvironment && run.environment !== role.environment) {
    return `assumes the ${role.kind} role of "${role.environment}" (${
      role.origin
    }), which trusts only environment:${
      role.environment
    }, from ${describeEnvironment(run.environment)}`;
  }
  if (!perEnvironment && run.environment !== undefined) {
    return `assumes the ${role.kind} role (${
      role.origin
    }), which trusts pull_request and the default branch, from ${describeEnvironment(
      run.environment,
    )}, whose token carries an environment subject`;
  }
  return undefined;
}

/**
 * Rule: every role a job assumes exists before the job runs: the bootstrap
 * step made it (before the step that hands its ARN to the repository), the
 * form gave it, or, for an environment's deploy role, Terraform created it
 * in a job this one needs; and the job's token is one the role trusts.
 */
export function unresolvedRoles(input: FirstPushInput): string[] {
  const runs = input.workflows.flatMap(jobRuns);
  const problems = roleAssumptions(input, runs).flatMap(assumption =>
    [...assumption.problems, trustProblem(assumption)]
      .filter((p): p is string => p !== undefined)
      .map(problem => `${where(assumption.run)}: ${problem}`),
  );
  return [...new Set(problems)];
}

/**
 * The only roles that cannot write: the bootstrap gives the plan role
 * read-only policies and state read without PutObject (it plans with
 * -lock=false), and the training role read on the dataset's prefix only.
 * Every other role (Terraform, deploy) changes the account.
 */
const READ_ONLY_ROLES: RoleKind[] = ['plan', 'training'];

/**
 * Rule: no job a pull request triggers can assume a role that can write,
 * since anyone who can push a branch controls what that job runs.
 * `pull_request_target` runs with the base repository's rights on the
 * pull request's code, so it is refused outright.
 */
export function writableRolesOnPullRequests(input: FirstPushInput): string[] {
  const problems = input.workflows.flatMap(workflow => {
    const triggers = triggersOf(workflow);
    if (triggers.includes('pull_request_target')) {
      return [
        `${workflow.file} is triggered by pull_request_target, which runs with the repository's rights on a pull request`,
      ];
    }
    if (!triggers.includes('pull_request')) {
      return [];
    }
    const runs = jobRuns(workflow).flatMap(run => [
      run,
      ...calledRuns(run, input.workflows),
    ]);
    return roleAssumptions(input, runs).flatMap(({ run, value, role }) => {
      if (!role) {
        return [
          `${where(
            run,
          )} runs on pull_request and assumes "${value}", which the check cannot show is read-only`,
        ];
      }
      return READ_ONLY_ROLES.includes(role.kind)
        ? []
        : [
            `${where(run)} runs on pull_request and assumes the ${
              role.kind
            } role${role.environment ? ` of "${role.environment}"` : ''} (${
              role.origin
            }), which can write`,
          ];
    });
  });
  return [...new Set(problems)];
}

/** GitHub's skip instructions; any of them in the commit message skips push and pull_request runs. */
export const SKIP_MARKERS = [
  '[skip ci]',
  '[ci skip]',
  '[no ci]',
  '[skip actions]',
  '[actions skip]',
];

/**
 * The triggers a generated workflow may have. push and pull_request are
 * skipped for the publish commit by its skip marker; workflow_dispatch runs
 * only when dispatched, which the template does after the environments
 * exist; schedule fires at a clock time on the default branch, not in answer
 * to the publish. Any other event is refused: some fire on the publish itself
 * and no marker covers them (`create` for the new branch, `workflow_run`,
 * `deployment*`, `public`, `repository_dispatch`), and none is needed.
 */
export const ALLOWED_TRIGGERS = [
  'push',
  'pull_request',
  'workflow_dispatch',
  'schedule',
];

/**
 * Rule: no workflow runs on the publish commit, and the first run is the
 * template's dispatch, after every environment (with its variables) exists.
 */
export function runsOnPublish(input: FirstPushInput): string[] {
  const problems: string[] = [];
  const publishIndex = input.steps.findIndex(s => s.action === PUBLISH);
  const publish = input.steps[publishIndex];
  if (!publish) {
    problems.push(`no ${PUBLISH} step ran`);
  } else if (
    !SKIP_MARKERS.some(marker =>
      String(publish.input.gitCommitMessage ?? '').includes(marker),
    )
  ) {
    problems.push(
      `the publish commit message "${
        publish.input.gitCommitMessage ?? '(the action default)'
      }" carries none of ${SKIP_MARKERS.join(
        ' ',
      )}, so the push runs the workflows before the environments exist`,
    );
  }
  for (const workflow of input.workflows) {
    const refused = triggersOf(workflow).filter(
      trigger => !ALLOWED_TRIGGERS.includes(trigger),
    );
    if (refused.length > 0) {
      problems.push(
        `${workflow.file} is triggered by ${refused.join(
          ', ',
        )}; only ${ALLOWED_TRIGGERS.join(
          ', ',
        )} are known not to run on the publish commit`,
      );
    }
  }
  const dispatchIndex = input.steps.findIndex(s => s.action === DISPATCH);
  const dispatch = input.steps[dispatchIndex];
  if (!dispatch) {
    problems.push(
      `no ${DISPATCH} step ran: nothing starts the first deployment`,
    );
    return problems;
  }
  const lastSetup = Math.max(
    publishIndex,
    ...input.steps.map((s, i) => (s.action === ENVIRONMENT ? i : -1)),
  );
  if (dispatchIndex < lastSetup) {
    problems.push(
      `step ${dispatch.stepId} (${DISPATCH}) runs before step ${input.steps[lastSetup].stepId}, so the first run can start without its environments and variables`,
    );
  }
  const target = input.workflows.find(
    w => w.file === String(dispatch.input.workflowId),
  );
  if (!target) {
    problems.push(
      `step ${dispatch.stepId} dispatches ${dispatch.input.workflowId}, which is not in .github/workflows`,
    );
  } else if (!triggersOf(target).includes('workflow_dispatch')) {
    problems.push(
      `step ${dispatch.stepId} dispatches ${target.file}, which has no workflow_dispatch trigger`,
    );
  }
  const defaultBranch = publish?.input.defaultBranch ?? 'master';
  if (dispatch.input.branchOrTagName !== defaultBranch) {
    problems.push(
      `step ${dispatch.stepId} dispatches on "${dispatch.input.branchOrTagName}", not the published default branch "${defaultBranch}"`,
    );
  }
  return problems;
}

/**
 * Rule: the CI roles the template makes end up trusting the subject GitHub
 * mints for the published repository. Since GitHub's immutable subject
 * claims a new repository presents `repo:OWNER@ID/REPO@ID:…`, whose IDs exist
 * only once it is published: the roles made before publishing (their ARNs go
 * into it) trust the name-only subject until a run after publishing gives
 * them the prefix read from GitHub, before the first run. Until then they
 * trust no workflow at all (`untrusted`), so that a publish that fails leaves
 * nothing a repository made elsewhere could assume.
 */
export function untrustedSubjects(input: FirstPushInput): string[] {
  const { steps } = input;
  const publishIndex = steps.findIndex(s => s.action === PUBLISH);
  const ensures = steps
    .map((step, index) => ({ step, index }))
    .filter(({ step }) => step.action === CI_ROLES);
  if (ensures.length === 0 || publishIndex < 0) return [];
  const last = ensures[ensures.length - 1];
  const retrust = `run ${CI_ROLES} again after ${steps[publishIndex].stepId}, with subjectPrefix from ${OIDC_SUBJECT}`;
  if (last.index < publishIndex) {
    return [
      `the CI roles (step ${last.step.stepId}) are made only before step ${steps[publishIndex].stepId}, so they trust the name-only subject repo:OWNER/REPO, ` +
        `which a repository created since GitHub's immutable subject claims never presents: ${retrust}`,
    ];
  }
  const problems: string[] = ensures
    .filter(({ index, step }) => index < publishIndex && !step.input.untrusted)
    .map(
      ({ step }) =>
        `step ${step.stepId} makes the CI roles before step ${steps[publishIndex].stepId} trusting the name-only subject: ` +
        `should publishing fail (the name is taken), they would trust a repository of that name made outside Backstage. ` +
        `Give it untrusted: true; they trust the repository once ${retrust}`,
    );
  const subjectStep = steps
    .slice(publishIndex + 1, last.index)
    .find(s => s.action === OIDC_SUBJECT);
  const read = subjectStep?.output.subjectPrefix;
  if (!subjectStep || last.step.input.subjectPrefix !== read) {
    problems.push(
      `step ${last.step.stepId} trusts the subject prefix "${
        last.step.input.subjectPrefix ?? '(none: name-only)'
      }", not one ${OIDC_SUBJECT} read after publishing (${
        subjectStep ? `step ${subjectStep.stepId}: "${read}"` : 'no such step'
      }): ${retrust}`,
    );
  } else if (subjectStep.input.repoUrl !== steps[publishIndex].input.repoUrl) {
    problems.push(
      `step ${subjectStep.stepId} reads ${subjectStep.input.repoUrl}, not the published ${steps[publishIndex].input.repoUrl}`,
    );
  }
  const dispatchIndex = steps.findIndex(s => s.action === DISPATCH);
  if (dispatchIndex >= 0 && dispatchIndex < last.index) {
    problems.push(
      `step ${last.step.stepId} re-trusts the CI roles after step ${steps[dispatchIndex].stepId} started the first run`,
    );
  }
  return problems;
}

/** The rules, one verify line each. */
export const FIRST_PUSH_RULES: Array<{
  name: string;
  problems: (input: FirstPushInput) => string[];
}> = [
  {
    name: 'first push: every vars.* and secrets.* a workflow reads is set',
    problems: unsetReads,
  },
  {
    name: 'first push: every role a job assumes exists before the job',
    problems: unresolvedRoles,
  },
  {
    name: 'first push: the CI roles trust the subject GitHub mints for the published repository',
    problems: untrustedSubjects,
  },
  {
    name: 'first push: pull requests assume only read-only roles',
    problems: writableRolesOnPullRequests,
  },
  {
    name: 'first push: no workflow runs on the publish commit',
    problems: runsOnPublish,
  },
];

export function firstPushInput(
  workflows: Workflow[],
  record: RenderRecord,
): FirstPushInput {
  return {
    workflows,
    steps: record.steps,
    platformProvided: record.platformProvided,
    values: record.values,
  };
}

/** The first-push checks of a rendered repository, from its render record; throws when that is missing. */
export async function firstPushChecks(
  repoDir: string,
  recordFile: string,
): Promise<Check[]> {
  const [record, workflows] = await Promise.all([
    readRenderRecord(recordFile),
    readWorkflows(repoDir),
  ]);
  const input = firstPushInput(workflows, record);
  return FIRST_PUSH_RULES.map(rule => ({
    name: rule.name,
    run: async () => {
      const problems = rule.problems(input);
      if (problems.length > 0) {
        throw new Error(problems.join('\n'));
      }
    },
  }));
}
