import { createBackend } from '@backstage/backend-defaults';
import {
  coreServices,
  createBackendModule,
  createServiceFactory,
  DatabaseService,
} from '@backstage/backend-plugin-api';
import { ConfigReader } from '@backstage/config';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import githubModule from '@backstage/plugin-scaffolder-backend-module-github';
import {
  createTemplateAction,
  scaffolderActionsExtensionPoint,
} from '@backstage/plugin-scaffolder-node';
import scaffolderModuleMlops from '@eks-mlops/backstage-plugin-mlops-backend/scaffolder';
import { randomBytes } from 'node:crypto';
import { freePort } from '@internal/local-processes';
import { DirectoryEntry, TemplateDirectory } from './templateDirectory';
import { RecordedStep } from './verify/renderRecord';

/**
 * The CI-role settings a render runs with: a boundary and a Terraform policy
 * named as a platform would name them (see the README's configuration section).
 * Against an emulator they must exist there first (`seedPlatformPolicies`).
 */
export const DRY_RUN_GITHUB_CONFIG = {
  oidcProvider: 'create',
  permissionsBoundary: 'ml-ci-boundary',
  terraformRolePolicies: ['ml-ci-terraform'],
};

/** What one dry-run produced. */
export interface RenderResult {
  files: DirectoryEntry[];
  output: Record<string, unknown>;
  log: string[];
  /** The template steps that ran, in order, each `each:` iteration apart; a step its `if:` skipped is absent. */
  steps: RecordedStep[];
}

/** A value the template's parameter schema rejected. */
export interface ValueProblem {
  field: string;
  message: string;
  /** What the field expects, from the template's own help text. */
  hint?: string;
}

/** Thrown when the scaffolder rejects the values; lists every bad field. */
export class InvalidValuesError extends Error {
  constructor(readonly problems: ValueProblem[]) {
    super(
      `Invalid values:\n${problems
        .map(p => `  - ${p.field}: ${p.message}${p.hint ? ` (${p.hint})` : ''}`)
        .join('\n')}`,
    );
    this.name = 'InvalidValuesError';
  }
}

/**
 * Keeps the AWS SDK from finding credentials, so that a render never reads a
 * real AWS account: the bootstrap actions then plan "unknown" and derive
 * their outputs from the inputs.
 */
function isolateFromAws() {
  for (const key of Object.keys(process.env)) {
    if (
      /^AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN|PROFILE|WEB_IDENTITY_TOKEN_FILE|ROLE_ARN|CONTAINER_)/.test(
        key,
      )
    ) {
      delete process.env[key];
    }
  }
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
  process.env.AWS_CONFIG_FILE = '/dev/null';
  process.env.AWS_SHARED_CREDENTIALS_FILE = '/dev/null';
}

/**
 * The backend's request and task logs would drown the render's output; its
 * logger reads LOG_LEVEL once, at start-up. The variable is restored after,
 * so that processes started later (the generated server) do not inherit it.
 */
async function withLogLevel<T>(
  level: string,
  fn: () => Promise<T>,
): Promise<T> {
  const previous = process.env.LOG_LEVEL;
  process.env.LOG_LEVEL ??= level;
  try {
    return await fn();
  } finally {
    if (previous === undefined) {
      delete process.env.LOG_LEVEL;
    } else {
      process.env.LOG_LEVEL = previous;
    }
  }
}

const RECORD_ACTION = 'ml-service:dry-run:record-step';
const RECORD_PREFIX = 'ml-service step record: ';
const RECORDER_ID_SUFFIX = '--record';

/**
 * Logs the step record it is given. It runs right after each template step,
 * with the step's own `if:`, `each:` and input, so it receives exactly the
 * input the step's action received. The scaffolder's own dry-run line
 * ("Running <action> in dry-run mode with inputs") cannot serve: it is
 * written once per step, rendered without `each`, so every value of an
 * iteration (the environment name, its variables) is missing from it.
 */
const stepRecorderModule = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'ml-service-step-recorder',
  register(reg) {
    reg.registerInit({
      deps: { scaffolder: scaffolderActionsExtensionPoint },
      async init({ scaffolder }) {
        scaffolder.addActions(
          createTemplateAction({
            id: RECORD_ACTION,
            description:
              'Records the rendered input and the output of the step before it (ml-service render only)',
            supportsDryRun: true,
            async handler(ctx) {
              ctx.logger.info(`${RECORD_PREFIX}${JSON.stringify(ctx.input)}`);
            },
          }),
        );
      },
    });
  },
});

/** Hands over the scaffolder's database service once the backend has made it. */
function scaffolderDatabaseHandle(onDatabase: (db: DatabaseService) => void) {
  return createBackendModule({
    pluginId: 'scaffolder',
    moduleId: 'ml-service-database-handle',
    register(reg) {
      reg.registerInit({
        deps: { database: coreServices.database },
        async init({ database }) {
          onDatabase(database);
        },
      });
    },
  });
}

/** The template with a recording step after each of its steps. */
export function withStepRecorders(
  template: Record<string, any>,
): Record<string, any> {
  const steps = (template.spec?.steps ?? []).flatMap(
    (step: Record<string, any>, index: number) => {
      // The ids the scaffolder would give, before inserting shifts the indexes.
      const id = step.id ?? `step-${index + 1}`;
      const recorder = {
        id: `${id}${RECORDER_ID_SUFFIX}`,
        name: `Record ${id}`,
        action: RECORD_ACTION,
        ...(step.if !== undefined && { if: step.if }),
        ...(step.each !== undefined && { each: step.each }),
        input: {
          stepId: id,
          action: step.action,
          input: step.input ?? {},
          output: `\${{ steps['${id}'].output }}`,
        },
      };
      return [{ ...step, id }, recorder];
    },
  );
  return { ...template, spec: { ...template.spec, steps } };
}

/** The step records in a dry-run log, whose lines start with the level ("info: "). */
function recordedSteps(log: string[]): RecordedStep[] {
  return log
    .filter(message => message.includes(RECORD_PREFIX))
    .map(message => {
      const record = JSON.parse(
        message.slice(message.indexOf(RECORD_PREFIX) + RECORD_PREFIX.length),
      );
      return { ...record, output: record.output ?? {} };
    });
}

/**
 * An in-process Backstage backend (scaffolder, GitHub module, mlops module)
 * that renders templates through the real `POST /api/scaffolder/v2/dry-run`.
 */
export class DryRunRenderer {
  private constructor(
    private readonly baseUrl: string,
    private readonly token: string,
    private readonly backend: { stop(): Promise<void> },
    private readonly database: DatabaseService,
  ) {}

  /**
   * With `awsEndpoint` (an emulator such as moto) the bootstrap actions call
   * it with fake credentials; `awsAccountId` is the account they are asked
   * for, registered so the credentials manager does not ask the real STS
   * which account the fake credentials belong to.
   */
  static async start(
    options: { awsEndpoint?: string; awsAccountId?: string } = {},
  ): Promise<DryRunRenderer> {
    if (!options.awsEndpoint) {
      isolateFromAws();
    }
    const port = await freePort();
    const token = randomBytes(24).toString('hex');
    const baseUrl = `http://127.0.0.1:${port}`;
    const config = new ConfigReader({
      backend: {
        baseUrl,
        listen: { host: '127.0.0.1', port },
        database: { client: 'better-sqlite3', connection: ':memory:' },
        auth: {
          externalAccess: [
            {
              type: 'static',
              options: { token, subject: 'ml-service-render' },
            },
          ],
        },
      },
      ...(options.awsEndpoint && {
        aws: {
          mainAccount: { accessKeyId: 'testing', secretAccessKey: 'testing' },
          ...(options.awsAccountId && {
            accounts: [
              {
                accountId: options.awsAccountId,
                accessKeyId: 'testing',
                secretAccessKey: 'testing',
              },
            ],
          }),
        },
      }),
      mlops: {
        // What a platform sets once for mlops:github-oidc:ensure (README, "Configuration").
        github: DRY_RUN_GITHUB_CONFIG,
        ...(options.awsEndpoint && { aws: { endpoint: options.awsEndpoint } }),
      },
    });
    const backend = createBackend();
    backend.add(
      createServiceFactory({
        service: coreServices.rootConfig,
        deps: {},
        factory: () => config,
      }),
    );
    backend.add(scaffolderPlugin);
    backend.add(githubModule);
    backend.add(scaffolderModuleMlops);
    backend.add(stepRecorderModule);
    let database: DatabaseService | undefined;
    backend.add(scaffolderDatabaseHandle(db => (database = db)));
    await withLogLevel('warn', () => backend.start());
    return new DryRunRenderer(baseUrl, token, backend, database!);
  }

  async render(
    templateDirectory: TemplateDirectory,
    values: Record<string, unknown>,
  ): Promise<RenderResult> {
    const res = await fetch(`${this.baseUrl}/api/scaffolder/v2/dry-run`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${this.token}`,
      },
      body: JSON.stringify({
        ...templateDirectory,
        template: withStepRecorders(templateDirectory.template),
        values,
      }),
    });
    const body = (await res.json()) as any;
    if (res.status === 400 && Array.isArray(body.errors)) {
      throw new InvalidValuesError(body.errors.map(toValueProblem));
    }
    if (!res.ok) {
      throw new Error(
        `dry-run failed with ${res.status}: ${
          body?.error?.message ?? JSON.stringify(body)
        }`,
      );
    }
    const entries: Array<{ body?: { message?: string; stepId?: string } }> =
      body.log ?? [];
    const fromRecorder = (entry: (typeof entries)[number]) =>
      String(entry.body?.stepId ?? '').endsWith(RECORDER_ID_SUFFIX);
    const log = entries
      .filter(entry => !fromRecorder(entry))
      .map(entry => entry.body?.message ?? '');
    const failure = (body.log ?? []).find(
      (entry: any) => entry.body?.status === 'failed',
    );
    if (failure) {
      throw new Error(
        `dry-run step failed: ${failure.body.message}\n${log
          .slice(-15)
          .join('\n')}`,
      );
    }
    return {
      files: body.directoryContents ?? [],
      output: body.output ?? {},
      log,
      steps: recordedSteps(
        entries.filter(fromRecorder).map(entry => entry.body?.message ?? ''),
      ),
    };
  }

  /** Stops the backend and closes its SQLite database, which Backstage's shutdown leaves open (a timer that would keep the process alive). */
  async stop(): Promise<void> {
    await this.backend.stop();
    await (await this.database.getClient()).destroy();
  }
}

/** jsonschema says `instance.name does not match pattern …`; name the field plainly. */
export function toValueProblem(error: {
  property?: string;
  message?: string;
  argument?: unknown;
  name?: string;
}): ValueProblem {
  const base = (error.property ?? 'instance').replace(/^instance\.?/, '');
  const field =
    error.name === 'required' && typeof error.argument === 'string'
      ? [base, error.argument].filter(Boolean).join('.')
      : base || '(values)';
  return { field, message: error.message ?? 'is invalid' };
}
