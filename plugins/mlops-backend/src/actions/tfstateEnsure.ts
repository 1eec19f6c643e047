import { Config } from '@backstage/config';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { AwsClientFactory } from '../aws/AwsClientFactory';
import { inspectLockTable, planLockTable } from '../aws/lockTable';
import { checkEncryptionKey } from '../aws/kmsKey';
import { managedTags } from '../aws/managedTags';
import { PlannedChange } from '../aws/plannedChange';
import {
  bucketArn,
  inspectStateBucket,
  planStateBucket,
} from '../aws/stateBucket';
import {
  checkBucketName,
  checkLockTableName,
  checkStateKeyPrefix,
  InputChecker,
} from '../aws/validation';
import {
  applyChanges,
  finishDryRun,
  inspectOrExplain,
  planLines,
} from './ensureSteps';
import {
  ENSURE_OUTCOME_OUTPUTS,
  FieldSpec,
  FieldValues,
  withTitles,
  zodFields,
} from './fields';
import { examples } from './tfstateEnsure.examples';

const inputs = {
  bucketName: {
    title: 'State bucket name',
    description:
      'Name of the S3 bucket that holds Terraform state. Created if missing; must be globally unique.',
    type: z => z.string(),
  },
  region: {
    title: 'AWS region',
    description: 'Region of the bucket, for example eu-west-1.',
    type: z => z.string(),
  },
  accountId: {
    title: 'AWS account ID',
    description:
      '12-digit account to use; its credentials come from aws.accounts. Defaults to aws.mainAccount.',
    type: z => z.string().optional(),
  },
  encryption: {
    title: 'Encryption',
    description: 'KMS (default) for SSE-KMS, or AES256 for S3-managed keys.',
    type: z => z.enum(['KMS', 'AES256']).optional(),
  },
  kmsKeyId: {
    title: 'KMS key',
    description:
      "Key ID, key or alias ARN, or alias/<name> for SSE-KMS: an enabled symmetric encryption key in the bucket's region, " +
      'checked (kms:DescribeKey) before anything is created. Defaults to the AWS-managed aws/s3 key.',
    type: z => z.string().optional(),
  },
  lockTable: {
    title: 'DynamoDB lock table',
    description:
      'Name of a legacy DynamoDB lock table to ensure as well. Leave empty to use the S3 lockfile of Terraform 1.10+.',
    type: z => z.string().optional(),
  },
  stateKeyPrefix: {
    title: 'State key prefix',
    description:
      'Key prefix of the state objects inside the bucket, for example the service name.',
    type: z => z.string().optional(),
  },
  tags: {
    title: 'Tags',
    description: 'Tags for the bucket and lock table; existing tags are kept.',
    type: z => z.record(z.string()).optional(),
  },
} satisfies Record<string, FieldSpec>;

const outputs = {
  bucketName: {
    title: 'Bucket name',
    description: 'Name of the state bucket.',
    type: z => z.string(),
  },
  bucketArn: {
    title: 'Bucket ARN',
    description: 'ARN of the state bucket.',
    type: z => z.string(),
  },
  region: {
    title: 'Region',
    description: 'Region of the state bucket.',
    type: z => z.string(),
  },
  lockTable: {
    title: 'Lock table',
    description:
      'Name of the DynamoDB lock table, or an empty string when the S3 lockfile is used alone.',
    type: z => z.string(),
  },
  useLockfile: {
    title: 'Use S3 lockfile',
    description:
      'Whether the backend uses the S3 lockfile (use_lockfile); always true.',
    type: z => z.boolean(),
  },
  stateKeyPrefix: {
    title: 'State key prefix',
    description: 'Key prefix of the state objects.',
    type: z => z.string(),
  },
  backendConfig: {
    title: 'Backend config',
    description:
      'Text of a .s3.tfbackend file for `terraform init -backend-config=<file>`, for one state at ' +
      '<stateKeyPrefix>/terraform.tfstate. (The ml-service template writes one file per environment instead, ' +
      'with the state under <stateKeyPrefix>/<environment>/, where the roles of mlops:github-oidc:ensure may write.)',
    type: z => z.string(),
  },
  created: {
    title: 'Created',
    description: 'Whether this run created the bucket.',
    type: z => z.boolean(),
  },
  ...ENSURE_OUTCOME_OUTPUTS,
} satisfies Record<string, FieldSpec>;

type TfstateInput = FieldValues<typeof inputs>;

function validate(input: TfstateInput): void {
  new InputChecker()
    .require('bucketName', input.bucketName)
    .check('bucketName', input.bucketName || undefined, checkBucketName)
    .awsTarget(input)
    .check('lockTable', input.lockTable || undefined, checkLockTableName)
    .check(
      'stateKeyPrefix',
      input.stateKeyPrefix || undefined,
      checkStateKeyPrefix,
    )
    .tags('tags', input.tags, 50)
    .throwIfInvalid();
}

/** The `.s3.tfbackend` text for this bucket. */
export function backendConfigText(options: {
  bucketName: string;
  region: string;
  stateKeyPrefix: string;
  kmsKeyId?: string;
  lockTable?: string;
}): string {
  const lines: Array<[string, string]> = [
    ['bucket', JSON.stringify(options.bucketName)],
    ['key', JSON.stringify(`${options.stateKeyPrefix}/terraform.tfstate`)],
    ['region', JSON.stringify(options.region)],
    ['use_lockfile', 'true'],
  ];
  // `encrypt = true` without a key makes Terraform send SSE-S3 (AES256) on
  // every write, overriding the bucket's default SSE-KMS; without it the
  // bucket's default encryption applies.
  if (options.kmsKeyId) {
    lines.push(['encrypt', 'true']);
    lines.push(['kms_key_id', JSON.stringify(options.kmsKeyId)]);
  }
  if (options.lockTable) {
    lines.push(['dynamodb_table', JSON.stringify(options.lockTable)]);
  }
  const width = Math.max(...lines.map(([key]) => key.length));
  return `${lines
    .map(([key, value]) => `${key.padEnd(width)} = ${value}`)
    .join('\n')}\n`;
}

/**
 * Creates the `mlops:tfstate:ensure` action: an S3 bucket hardened for
 * Terraform state (and optionally a DynamoDB lock table), idempotent and
 * converging drift, with an honest dry-run. Reads AWS credentials and the
 * optional emulator endpoint from `config`.
 *
 * @public
 */
export function createTfstateEnsureAction(options: { config: Config }) {
  return tfstateEnsureAction(AwsClientFactory.fromConfig(options.config));
}

/** The `mlops:tfstate:ensure` action using the given (possibly shared) AWS client factory. */
export function tfstateEnsureAction(clientFactory: AwsClientFactory) {
  const action = createTemplateAction({
    id: 'mlops:tfstate:ensure',
    description:
      'Ensures an S3 bucket for Terraform state: versioned, SSE-KMS encrypted, public access blocked, ' +
      'owner-enforced, TLS 1.2+ only, tagged; optionally a DynamoDB lock table. Safe to run again: it converges drift. ' +
      'An existing bucket in use that it did not make is not changed: reused when it can hold state safely, refused otherwise.',
    examples,
    supportsDryRun: true,
    schema: { input: zodFields(inputs), output: zodFields(outputs) },
    async handler(ctx) {
      const { input } = ctx;
      validate(input);
      const region = input.region;
      const bucketName = input.bucketName;
      const stateKeyPrefix = input.stateKeyPrefix || bucketName;
      const lockTable = input.lockTable || undefined;
      const tags = managedTags(input.tags);
      const encryption = input.encryption ?? 'KMS';

      ctx.output('bucketName', bucketName);
      ctx.output('bucketArn', bucketArn(bucketName, region));
      ctx.output('region', region);
      ctx.output('lockTable', lockTable ?? '');
      ctx.output('useLockfile', true);
      ctx.output('stateKeyPrefix', stateKeyPrefix);
      ctx.output(
        'backendConfig',
        backendConfigText({
          bucketName,
          region,
          stateKeyPrefix,
          kmsKeyId: input.kmsKeyId,
          lockTable,
        }),
      );

      const locking = lockTable
        ? `with lock table "${lockTable}"`
        : '(S3 lockfile)';
      ctx.logger.info(
        `${
          ctx.isDryRun ? '[dry run] Checking' : 'Ensuring'
        } Terraform state bucket "${bucketName}" in ${region} ${locking}`,
      );

      const planChanges = async (): Promise<PlannedChange[]> => {
        const clients = await clientFactory.create({
          region,
          accountId: input.accountId,
        });
        const accountId = await clients.resolveAccountId();
        if (encryption === 'KMS' && input.kmsKeyId) {
          await checkEncryptionKey(clients.kms, input.kmsKeyId, {
            region,
            accountId,
            subject: `the state bucket "${bucketName}"${
              lockTable ? ` and the lock table "${lockTable}"` : ''
            }`,
          });
        }
        const bucketState = await inspectStateBucket(
          clients.s3,
          bucketName,
          accountId,
        );
        const changes = planStateBucket(
          clients.s3,
          bucketState,
          {
            bucketName,
            region,
            encryption,
            kmsKeyId: input.kmsKeyId,
            tags,
          },
          note => ctx.logger.warn(note),
        );
        if (lockTable) {
          const tableState = await inspectLockTable(
            clients.dynamodb,
            lockTable,
          );
          changes.push(
            ...planLockTable(clients.dynamodb, tableState, {
              tableName: lockTable,
              kmsKeyId: input.kmsKeyId,
              tags,
            }),
          );
        }
        return changes;
      };

      if (ctx.isDryRun) {
        const outcome = await inspectOrExplain(planChanges);
        const matching = `bucket "${bucketName}"${
          lockTable ? ` and lock table "${lockTable}" match` : ' matches'
        }`;
        finishDryRun(
          ctx,
          'unknown' in outcome
            ? outcome.unknown
            : planLines(outcome.result, matching),
        );
        return;
      }

      const { created, applied } = await applyChanges(
        ctx,
        await planChanges(),
        `mlops.tfstate.${bucketName}`,
      );
      ctx.output('created', created);
      ctx.output('changes', applied);
    },
  });
  return withTitles(action, inputs, outputs);
}
