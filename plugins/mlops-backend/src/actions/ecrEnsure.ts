import { Config } from '@backstage/config';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { AwsClientFactory } from '../aws/AwsClientFactory';
import {
  DesiredRepository,
  describeRepository,
  inspectRepository,
  planRepository,
  repositoryCoordinates,
} from '../aws/ecrRepository';
import { checkEncryptionKey } from '../aws/kmsKey';
import { managedTags } from '../aws/managedTags';
import { partitionOf } from '../aws/plannedChange';
import { unscannedRepositoryWarning } from '../aws/registryScanning';
import {
  checkImageTagPrefix,
  checkPrincipal,
  checkRepositoryName,
  InputChecker,
} from '../aws/validation';
import {
  applyChanges,
  finishDryRun,
  inspectOrExplain,
  planLines,
} from './ensureSteps';
import { examples } from './ecrEnsure.examples';
import {
  ENSURE_OUTCOME_OUTPUTS,
  FieldSpec,
  FieldValues,
  withTitles,
  zodFields,
} from './fields';

const DEFAULT_KEEP_LAST_TAGGED = 30;
const DEFAULT_EXPIRE_UNTAGGED_AFTER_DAYS = 14;

const inputs = {
  repositoryName: {
    title: 'Repository name',
    description:
      'Name of the ECR repository, for example "ml/churn-model". Created if missing.',
    type: z => z.string(),
  },
  region: {
    title: 'AWS region',
    description: 'Region of the repository, for example eu-west-1.',
    type: z => z.string(),
  },
  accountId: {
    title: 'AWS account ID',
    description:
      '12-digit account (registry) to use; its credentials come from aws.accounts. Defaults to aws.mainAccount.',
    type: z => z.string().optional(),
  },
  imageTagMutability: {
    title: 'Tag mutability',
    description:
      'IMMUTABLE (default) so a tag always names the same image, or MUTABLE.',
    type: z => z.enum(['IMMUTABLE', 'MUTABLE']).optional(),
  },
  scanOnPush: {
    title: 'Scan on push',
    description: 'Scan every pushed image for vulnerabilities (default true).',
    type: z => z.boolean().optional(),
  },
  encryption: {
    title: 'Encryption',
    description:
      'KMS (default) or AES256. Fixed at creation: ECR cannot change it later.',
    type: z => z.enum(['KMS', 'AES256']).optional(),
  },
  kmsKeyId: {
    title: 'KMS key',
    description:
      "Key ID, key or alias ARN, or alias/<name> for KMS encryption: an enabled symmetric encryption key in the repository's region, " +
      'checked (kms:DescribeKey) before anything is created. Defaults to the AWS-managed aws/ecr key.',
    type: z => z.string().optional(),
  },
  lifecycle: {
    title: 'Lifecycle',
    description:
      `Keep the last N images (default ${DEFAULT_KEEP_LAST_TAGGED}) and expire untagged ones after D days (default ${DEFAULT_EXPIRE_UNTAGGED_AFTER_DAYS}). ` +
      'protectedTagPrefixes (for example the environments a deploy tags images with, the last promoted first) ' +
      'each keep their own last N images, so newer pushes never expire the image an environment runs.',
    type: z =>
      z
        .object({
          keepLastTagged: z.number().optional(),
          expireUntaggedAfterDays: z.number().optional(),
          protectedTagPrefixes: z.array(z.string()).optional(),
        })
        .optional(),
  },
  pullPrincipals: {
    title: 'Pull principals',
    description:
      "Account IDs or IAM ARNs allowed to pull images (e.g. other accounts' EKS node roles). An account ID stands for its root " +
      "principal in the region's partition (arn:aws-cn:iam::<id>:root in China); an ARN must be in that partition. " +
      'Omit to leave the repository policy alone.',
    type: z => z.array(z.string()).optional(),
  },
  tags: {
    title: 'Tags',
    description: 'Tags for the repository; existing tags are kept.',
    type: z => z.record(z.string()).optional(),
  },
} satisfies Record<string, FieldSpec>;

const outputs = {
  repositoryUri: {
    title: 'Repository URI',
    description:
      'URI to tag and push images to; empty in a dry run without credentials or accountId.',
    type: z => z.string(),
  },
  repositoryArn: {
    title: 'Repository ARN',
    description: 'ARN of the repository.',
    type: z => z.string(),
  },
  registryId: {
    title: 'Registry ID',
    description: 'Account ID of the registry.',
    type: z => z.string(),
  },
  repositoryName: {
    title: 'Repository name',
    description: 'Name of the repository.',
    type: z => z.string(),
  },
  region: {
    title: 'Region',
    description: 'Region of the repository.',
    type: z => z.string(),
  },
  created: {
    title: 'Created',
    description: 'Whether this run created the repository.',
    type: z => z.boolean(),
  },
  warnings: {
    title: 'Warnings',
    description:
      'Differences the action cannot converge, such as encryption fixed at creation.',
    type: z => z.array(z.string()),
  },
  ...ENSURE_OUTCOME_OUTPUTS,
} satisfies Record<string, FieldSpec>;

type EcrInput = FieldValues<typeof inputs>;

function validate(input: EcrInput): void {
  const checker = new InputChecker()
    .require('repositoryName', input.repositoryName)
    .check(
      'repositoryName',
      input.repositoryName || undefined,
      checkRepositoryName,
    )
    .awsTarget(input)
    .integer(
      'lifecycle.keepLastTagged',
      input.lifecycle?.keepLastTagged,
      1,
      10000,
    )
    .integer(
      'lifecycle.expireUntaggedAfterDays',
      input.lifecycle?.expireUntaggedAfterDays,
      1,
      3650,
    )
    .tags('tags', input.tags, 50);
  (input.pullPrincipals ?? []).forEach((principal, index) =>
    checker.check(
      `pullPrincipals[${index}]`,
      principal,
      value =>
        checkPrincipal(value) ?? checkPrincipalPartition(value, input.region),
    ),
  );
  checkProtectedTagPrefixes(
    checker,
    input.lifecycle?.protectedTagPrefixes ?? [],
  );
  checker.throwIfInvalid();
}

/** A repository policy names principals of its own partition only. */
function checkPrincipalPartition(
  principal: string,
  region: string,
): string | undefined {
  const arnPartition = /^arn:([^:]+):/.exec(principal)?.[1];
  const partition = region ? partitionOf(region) : undefined;
  if (!arnPartition || !partition || arnPartition === partition) {
    return undefined;
  }
  return (
    `is in the partition ${arnPartition}, but region "${region}" is in ${partition}, and a repository policy ` +
    `names principals of its own partition only: give the ARN in ${partition} (arn:${partition}:iam::…) or the 12-digit account ID`
  );
}

const MAX_PROTECTED_TAG_PREFIXES = 10;

/**
 * Each prefix must be a valid start of an image tag, and none may start
 * another: ECR would count the longer one's images under the first rule.
 */
function checkProtectedTagPrefixes(
  checker: InputChecker,
  prefixes: string[],
): void {
  const field = 'lifecycle.protectedTagPrefixes';
  if (prefixes.length > MAX_PROTECTED_TAG_PREFIXES) {
    checker.add({
      field,
      value: `${prefixes.length} prefixes`,
      rule: `may hold at most ${MAX_PROTECTED_TAG_PREFIXES} prefixes`,
    });
  }
  prefixes.forEach((prefix, index) => {
    checker.check(`${field}[${index}]`, prefix, checkImageTagPrefix);
    const overlapping = prefixes.find(
      (other, otherIndex) => otherIndex !== index && prefix.startsWith(other),
    );
    if (overlapping !== undefined) {
      checker.add({
        field: `${field}[${index}]`,
        value: prefix,
        rule:
          overlapping === prefix
            ? 'is listed twice; list each prefix once'
            : `starts with the prefix ${JSON.stringify(
                overlapping,
              )}, so ECR would count its images under that rule; end each prefix with a separator (e.g. "prod-" and "prod-eu-")`,
      });
    }
  });
}

function desiredRepository(input: EcrInput): DesiredRepository {
  return {
    repositoryName: input.repositoryName,
    registryId: input.accountId || undefined,
    partition: partitionOf(input.region),
    imageTagMutability: input.imageTagMutability ?? 'IMMUTABLE',
    scanOnPush: input.scanOnPush ?? true,
    encryption: input.encryption ?? 'KMS',
    kmsKeyId: input.kmsKeyId || undefined,
    keepLastTagged: input.lifecycle?.keepLastTagged ?? DEFAULT_KEEP_LAST_TAGGED,
    expireUntaggedAfterDays:
      input.lifecycle?.expireUntaggedAfterDays ??
      DEFAULT_EXPIRE_UNTAGGED_AFTER_DAYS,
    protectedTagPrefixes: input.lifecycle?.protectedTagPrefixes ?? [],
    pullPrincipals: input.pullPrincipals,
    tags: managedTags(input.tags),
  };
}

/**
 * Creates the `mlops:ecr:ensure` action: an ECR repository with scan on
 * push, immutable tags, KMS encryption, a lifecycle policy and optional pull
 * principals, idempotent and converging drift, with an honest dry-run. Reads
 * AWS credentials and the optional emulator endpoint from `config`.
 *
 * @public
 */
export function createEcrEnsureAction(options: { config: Config }) {
  return ecrEnsureAction(AwsClientFactory.fromConfig(options.config));
}

/** The `mlops:ecr:ensure` action using the given (possibly shared) AWS client factory. */
export function ecrEnsureAction(clientFactory: AwsClientFactory) {
  const action = createTemplateAction({
    id: 'mlops:ecr:ensure',
    description:
      'Ensures an ECR repository: scan on push, immutable tags, KMS encryption, lifecycle policy, ' +
      'optional cross-account pull, tags. Safe to run again: it converges drift. An existing repository ' +
      'is changed only when tagged managed-by=backstage-mlops (and service=<tags.service> when given); any other is refused.',
    examples,
    supportsDryRun: true,
    schema: { input: zodFields(inputs), output: zodFields(outputs) },
    async handler(ctx) {
      const { input } = ctx;
      validate(input);
      const desired = desiredRepository(input);
      const { region, repositoryName } = input;
      ctx.output('repositoryName', repositoryName);
      ctx.output('region', region);
      ctx.logger.info(
        `${
          ctx.isDryRun ? '[dry run] Checking' : 'Ensuring'
        } ECR repository "${repositoryName}" in ${region}`,
      );

      let accountId = input.accountId ?? '';
      const outputCoordinates = (repository?: {
        repositoryUri?: string;
        repositoryArn?: string;
        registryId?: string;
      }) => {
        const derived = accountId
          ? repositoryCoordinates(accountId, region, repositoryName)
          : undefined;
        ctx.output(
          'repositoryUri',
          repository?.repositoryUri ?? derived?.repositoryUri ?? '',
        );
        ctx.output(
          'repositoryArn',
          repository?.repositoryArn ?? derived?.repositoryArn ?? '',
        );
        ctx.output(
          'registryId',
          repository?.registryId ?? derived?.registryId ?? '',
        );
      };

      const inspectAndPlan = async () => {
        const clients = await clientFactory.create({
          region,
          accountId: input.accountId,
        });
        accountId = await clients.resolveAccountId();
        if (desired.encryption === 'KMS' && desired.kmsKeyId) {
          await checkEncryptionKey(clients.kms, desired.kmsKeyId, {
            region,
            accountId,
            subject: `the ECR repository "${repositoryName}"`,
          });
        }
        const state = await inspectRepository(
          clients.ecr,
          repositoryName,
          desired.registryId,
        );
        const { changes, warnings } = planRepository(
          clients.ecr,
          state,
          desired,
        );
        const unscanned = desired.scanOnPush
          ? await unscannedRepositoryWarning(clients.ecr, repositoryName)
          : undefined;
        return {
          clients,
          state,
          changes,
          warnings: unscanned ? [...warnings, unscanned] : warnings,
        };
      };

      if (ctx.isDryRun) {
        const outcome = await inspectOrExplain(inspectAndPlan);
        if ('unknown' in outcome) {
          outputCoordinates();
          ctx.output('warnings', []);
          finishDryRun(ctx, outcome.unknown);
          return;
        }
        const { state, changes, warnings } = outcome.result;
        outputCoordinates(state.repository);
        ctx.output('warnings', warnings);
        finishDryRun(
          ctx,
          planLines(changes, `ECR repository "${repositoryName}" matches`),
        );
        return;
      }

      const { clients, state, changes, warnings } = await inspectAndPlan();
      warnings.forEach(warning => ctx.logger.warn(warning));
      const { created, applied } = await applyChanges(
        ctx,
        changes,
        `mlops.ecr.${region}.${repositoryName}`,
      );
      outputCoordinates(
        state.repository ??
          (await describeRepository(
            clients.ecr,
            repositoryName,
            desired.registryId,
          )),
      );
      ctx.output('created', created);
      ctx.output('changes', applied);
      ctx.output('warnings', warnings);
    },
  });
  return withTitles(action, inputs, outputs);
}
