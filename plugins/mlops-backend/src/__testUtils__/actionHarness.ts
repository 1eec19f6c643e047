import { createMockDirectory } from '@backstage/backend-test-utils';
import { LoggerService } from '@backstage/backend-plugin-api';
import { ConfigReader } from '@backstage/config';
import { TemplateAction } from '@backstage/plugin-scaffolder-node';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { JsonObject, JsonValue } from '@backstage/types';
import { AwsClientFactory } from '../aws/AwsClientFactory';
import { MOTO_ACCOUNT_ID, MOTO_CREDENTIALS } from '@internal/moto-server';

/** The app-config data that points AWS calls at a moto endpoint with static test credentials. */
export function motoConfigData(endpoint: string) {
  return {
    aws: {
      mainAccount: MOTO_CREDENTIALS,
      accounts: [{ accountId: MOTO_ACCOUNT_ID, ...MOTO_CREDENTIALS }],
    },
    mlops: { aws: { endpoint } },
  };
}

/** app-config pointing the actions at a moto endpoint with static test credentials. */
export function motoConfig(endpoint: string) {
  return new ConfigReader(motoConfigData(endpoint));
}

/** Records every AWS API call the actions make. */
export class CallRecorder {
  readonly calls: string[] = [];
  readonly observer = (call: { commandName: string }) => {
    this.calls.push(call.commandName.replace(/Command$/, ''));
  };

  /** Calls whose names do not start with a read-only verb. */
  mutating(): string[] {
    return this.calls.filter(name => !/^(Get|Head|Describe|List)/.test(name));
  }

  clear() {
    this.calls.length = 0;
  }
}

export function recordingFactory(endpoint: string, recorder: CallRecorder) {
  return AwsClientFactory.fromConfig(motoConfig(endpoint), recorder.observer);
}

/** One workspace for every run: the actions never write to it, and each mock directory costs a process exit hook. */
const workspace = createMockDirectory();

/** A logger that appends each message to `lines`. */
function loggerInto(lines: string[]): LoggerService {
  const logger: LoggerService = {
    error: message => lines.push(message),
    warn: message => lines.push(message),
    info: message => lines.push(message),
    debug: message => lines.push(message),
    child: () => logger,
  };
  return logger;
}

/** Runs an action handler with a mock context; checkpoints persist in `checkpoints` across runs. */
export async function runAction(
  action: TemplateAction<any, any, any>,
  input: JsonObject,
  options: {
    dryRun?: boolean;
    checkpoints?: Map<string, JsonValue | void>;
    /** Receives every line the action logs, at any level. */
    log?: string[];
  } = {},
): Promise<Record<string, any>> {
  const outputs: Record<string, any> = {};
  const checkpoints = options.checkpoints ?? new Map();
  const mockContext = createMockActionContext({
    input,
    workspacePath: workspace.path,
  });
  const ctx = {
    ...mockContext,
    logger: options.log ? loggerInto(options.log) : mockContext.logger,
    isDryRun: options.dryRun ?? false,
    output: (name: string, value: unknown) => {
      outputs[name] = value;
    },
    async checkpoint<T extends JsonValue | void>(opts: {
      key: string;
      fn: () => Promise<T> | T;
    }) {
      if (checkpoints.has(opts.key)) {
        return checkpoints.get(opts.key) as T;
      }
      const value = await opts.fn();
      checkpoints.set(opts.key, value);
      return value;
    },
  };
  await action.handler(ctx as any);
  return outputs;
}

/** Runs `fn` with no AWS credentials anywhere the SDK's default chain looks. */
export async function withoutAwsCredentials<T>(
  fn: () => Promise<T>,
): Promise<T> {
  const saved = { ...process.env };
  for (const key of [
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_SESSION_TOKEN',
    'AWS_PROFILE',
  ]) {
    delete process.env[key];
  }
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
  process.env.AWS_CONFIG_FILE = '/nonexistent/aws-config';
  process.env.AWS_SHARED_CREDENTIALS_FILE = '/nonexistent/aws-credentials';
  try {
    return await fn();
  } finally {
    process.env = saved;
  }
}
