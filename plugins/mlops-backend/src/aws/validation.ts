import { InputError } from '@backstage/errors';
import { partitionOf } from './plannedChange';

/** One broken rule: the field, the value and what is wrong with it. */
export interface InputProblem {
  field: string;
  value: unknown;
  rule: string;
}

/** A rule: undefined when the value passes, else what is wrong with it. */
export type Check = (value: string) => string | undefined;

const IPV4_LIKE = /^\d{1,3}(\.\d{1,3}){3}$/;
const BUCKET_RESERVED_PREFIXES = [
  'xn--',
  'sthree-',
  'sthree-configurator',
  'amzn-s3-demo-',
];
const BUCKET_RESERVED_SUFFIXES = [
  '-s3alias',
  '--ol-s3',
  '.mrap',
  '--x-s3',
  '--table-s3',
];
const ECR_NAME =
  /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
// The shapes of the SDK's partitions' region codes (@aws-sdk/core's partitions.js).
const REGION =
  /^(?:[a-z]{2}(?:-gov|-iso[bef]?)?|eusc-[a-z]{2})-[a-z]+-\d{1,2}$/;
/**
 * The partitions whose endpoints end in amazonaws.com or amazonaws.com.cn:
 * the only DNS suffixes the registry URIs and policy conditions the
 * actions write know.
 */
const SUPPORTED_PARTITIONS = ['aws', 'aws-cn', 'aws-us-gov'];
const ACCOUNT_ID = /^\d{12}$/;
const KMS_KEY = new RegExp(
  [
    '^arn:aws[a-z-]*:kms:[a-z0-9-]+:\\d{12}:(?:key|alias)/[A-Za-z0-9/_-]+$',
    '^alias/[A-Za-z0-9/_-]{1,250}$',
    '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$',
    '^mrk-[0-9a-f]{32}$',
  ].join('|'),
);
const DYNAMODB_TABLE = /^[A-Za-z0-9_.-]{3,255}$/;
const TAG_CHARS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const IAM_PRINCIPAL =
  /^arn:aws[a-z-]*:iam::\d{12}:(?:root|role\/[\w+=,.@/-]+|user\/[\w+=,.@/-]+)$/;
const STATE_KEY_PREFIX = /^[A-Za-z0-9!_.*'()-]+(?:\/[A-Za-z0-9!_.*'()-]+)*$/;

/** S3 general-purpose bucket naming rules. */
export const checkS3BucketName: Check = name => {
  if (name.length < 3 || name.length > 63) {
    return `must be 3 to 63 characters long (it is ${name.length})`;
  }
  if (!/^[a-z0-9.-]+$/.test(name)) {
    return 'may contain only lowercase letters, digits, dots and hyphens';
  }
  if (!/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name)) {
    return 'must begin and end with a lowercase letter or digit';
  }
  if (name.includes('..')) {
    return 'must not contain two adjacent dots';
  }
  if (IPV4_LIKE.test(name)) {
    return 'must not be formatted as an IP address';
  }
  const prefix = BUCKET_RESERVED_PREFIXES.find(p => name.startsWith(p));
  if (prefix) {
    return `must not start with the reserved prefix "${prefix}"`;
  }
  const suffix = BUCKET_RESERVED_SUFFIXES.find(s => name.endsWith(s));
  if (suffix) {
    return `must not end with the reserved suffix "${suffix}"`;
  }
  return undefined;
};

/** S3 bucket naming rules, plus "no dots" because the state bucket is TLS-only. */
export const checkBucketName: Check = name => {
  const rule = checkS3BucketName(name);
  if (rule) {
    return rule;
  }
  if (name.includes('.')) {
    return 'must not contain dots: a dotted name breaks TLS for virtual-hosted requests, and the state bucket accepts TLS only';
  }
  return undefined;
};

export const checkRepositoryName: Check = name => {
  if (name.length < 2 || name.length > 256) {
    return `must be 2 to 256 characters long (it is ${name.length})`;
  }
  if (!ECR_NAME.test(name)) {
    return 'must be lowercase letters and digits, separated by single ".", "_" or "-", with optional "/" namespaces (e.g. "team/model-name")';
  }
  return undefined;
};

const IMAGE_TAG_PREFIX = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export const checkImageTagPrefix: Check = prefix =>
  IMAGE_TAG_PREFIX.test(prefix)
    ? undefined
    : 'must be 1 to 128 letters, digits, ".", "_" and "-", starting with a letter or digit (how an image tag starts)';

export const checkRegion: Check = region => {
  if (!REGION.test(region)) {
    return 'must be an AWS region code such as "us-east-1" or "eu-west-1"';
  }
  const partition = partitionOf(region);
  if (!SUPPORTED_PARTITIONS.includes(partition)) {
    return (
      `is in the AWS partition ${partition}, which these actions do not support: its endpoints use another DNS ` +
      `suffix than the amazonaws.com (amazonaws.com.cn in China) that their registry URIs and policy conditions assume. ` +
      `Choose a region in ${SUPPORTED_PARTITIONS.join(', ')}`
    );
  }
  return undefined;
};

export const checkAccountId: Check = accountId =>
  ACCOUNT_ID.test(accountId) ? undefined : 'must be exactly 12 digits';

export const checkKmsKeyId: Check = key =>
  KMS_KEY.test(key)
    ? undefined
    : 'must be a KMS key ID, a key or alias ARN, or "alias/<name>"';

/** The region and account of a KMS key or alias ARN; undefined for anything else. */
export function kmsArnParts(
  keyId: string | undefined,
): { region: string; account: string } | undefined {
  if (!keyId?.startsWith('arn:') || !KMS_KEY.test(keyId)) {
    return undefined;
  }
  const [, , , region, account] = keyId.split(':');
  return { region, account };
}

export const checkLockTableName: Check = name =>
  DYNAMODB_TABLE.test(name)
    ? undefined
    : 'must be 3 to 255 characters of letters, digits, "_", "-" and "."';

export const checkStateKeyPrefix: Check = prefix => {
  if (prefix.length > 900) {
    return 'must be at most 900 characters';
  }
  if (
    !STATE_KEY_PREFIX.test(prefix) ||
    prefix.split('/').some(part => part === '.' || part === '..')
  ) {
    return 'must be path segments of letters, digits and !_.*\'()- joined by single "/", with no leading or trailing "/" and no "." or ".." segments';
  }
  return undefined;
};

export const checkPrincipal: Check = principal =>
  ACCOUNT_ID.test(principal) || IAM_PRINCIPAL.test(principal)
    ? undefined
    : 'must be a 12-digit account ID or an IAM ARN (arn:aws:iam::<account>:root, :role/<name> or :user/<name>)';

/** Collects problems and throws one InputError naming every field, value and rule. */
export class InputChecker {
  private readonly problems: InputProblem[] = [];

  check(field: string, value: string | undefined, check: Check): this {
    if (value === undefined) {
      return this;
    }
    const rule = check(value);
    if (rule) {
      this.problems.push({ field, value, rule });
    }
    return this;
  }

  integer(
    field: string,
    value: number | undefined,
    min: number,
    max: number,
  ): this {
    if (
      value !== undefined &&
      (!Number.isInteger(value) || value < min || value > max)
    ) {
      this.problems.push({
        field,
        value,
        rule: `must be a whole number from ${min} to ${max}`,
      });
    }
    return this;
  }

  tags(
    field: string,
    tags: Record<string, string> | undefined,
    maxTags: number,
  ): this {
    if (!tags) {
      return this;
    }
    const entries = Object.entries(tags);
    if (entries.length > maxTags) {
      this.problems.push({
        field,
        value: `${entries.length} tags`,
        rule: `may hold at most ${maxTags} tags`,
      });
    }
    for (const [key, value] of entries) {
      const rule = tagRule(key, value);
      if (rule) {
        this.problems.push({ field: `${field}.${key}`, value, rule });
      }
    }
    return this;
  }

  require(field: string, value: unknown): this {
    if (value === undefined || value === null || value === '') {
      this.problems.push({ field, value, rule: 'is required' });
    }
    return this;
  }

  /**
   * The settings every bootstrap action shares: the region (required), the
   * account, and a KMS key that only makes sense with KMS encryption.
   */
  awsTarget(input: {
    region: string;
    accountId?: string;
    kmsKeyId?: string;
    encryption?: 'KMS' | 'AES256';
  }): this {
    this.require('region', input.region)
      .check('region', input.region || undefined, checkRegion)
      .check('accountId', input.accountId || undefined, checkAccountId)
      .check('kmsKeyId', input.kmsKeyId || undefined, checkKmsKeyId);
    if (input.encryption === 'AES256' && input.kmsKeyId) {
      this.add({
        field: 'kmsKeyId',
        value: input.kmsKeyId,
        rule: 'applies only to KMS encryption; remove it or set encryption to KMS',
      });
    }
    const keyRegion = kmsArnParts(input.kmsKeyId)?.region;
    if (keyRegion && input.region && keyRegion !== input.region) {
      this.add({
        field: 'kmsKeyId',
        value: input.kmsKeyId,
        rule: `is a key of ${keyRegion}, but S3, DynamoDB and ECR encrypt only with a key of their own region: give a key of ${input.region}`,
      });
    }
    return this;
  }

  add(problem: InputProblem): this {
    this.problems.push(problem);
    return this;
  }

  throwIfInvalid(): void {
    if (this.problems.length === 0) {
      return;
    }
    throw invalidInput(this.problems);
  }
}

/** The InputError naming every field, value and rule, as every action words it. */
export function invalidInput(problems: InputProblem[]): InputError {
  const lines = problems.map(
    p => `${p.field} ${JSON.stringify(p.value)} ${p.rule}`,
  );
  return new InputError(`Invalid input: ${lines.join('; ')}`);
}

function tagRule(key: string, value: string): string | undefined {
  if (key.length < 1 || key.length > 128) {
    return 'tag keys must be 1 to 128 characters long';
  }
  if (key.toLowerCase().startsWith('aws:')) {
    return 'tag keys must not start with the reserved prefix "aws:"';
  }
  if (typeof value !== 'string' || value.length > 256) {
    return 'tag values must be strings of at most 256 characters';
  }
  if (!TAG_CHARS.test(key) || !TAG_CHARS.test(value)) {
    return 'tags may contain only letters, digits, spaces and _ . : / = + - @';
  }
  return undefined;
}
