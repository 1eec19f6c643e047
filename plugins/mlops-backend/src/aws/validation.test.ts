import {
  checkAccountId,
  checkBucketName,
  checkKmsKeyId,
  checkPrincipal,
  checkRegion,
  checkRepositoryName,
  checkStateKeyPrefix,
} from './validation';
import { partitionOf } from './plannedChange';

describe('validation rules', () => {
  it.each(['abc', 'acme-tfstate-churn-model', 'a'.repeat(63), '1bucket9'])(
    'accepts bucket %s',
    name => {
      expect(checkBucketName(name)).toBeUndefined();
    },
  );

  it.each([
    'us-east-1',
    'eu-west-1',
    'ap-southeast-2',
    'us-gov-west-1',
    'cn-north-1',
    'il-central-1',
  ])('accepts region %s', region =>
    expect(checkRegion(region)).toBeUndefined(),
  );

  it.each(['ml/churn-model', 'fraud_model', 'team/sub.team/model-1', 'ab'])(
    'accepts repository %s',
    name => {
      expect(checkRepositoryName(name)).toBeUndefined();
    },
  );

  it.each([
    '1234abcd-12ab-34cd-56ef-1234567890ab',
    'alias/terraform-state',
    'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    'arn:aws:kms:eu-west-1:123456789012:alias/state',
    'mrk-1234567890abcdef1234567890abcdef',
  ])('accepts KMS key %s', key => expect(checkKmsKeyId(key)).toBeUndefined());

  it.each([
    '123456789012',
    'arn:aws:iam::123456789012:root',
    'arn:aws:iam::123456789012:role/eks/nodes',
  ])('accepts principal %s', principal =>
    expect(checkPrincipal(principal)).toBeUndefined(),
  );

  it('rejects account IDs that are not 12 digits', () => {
    expect(checkAccountId('12345678901')).toMatch(/12 digits/);
    expect(checkAccountId('1234567890123')).toMatch(/12 digits/);
    expect(checkAccountId('123456789012')).toBeUndefined();
  });

  it('accepts nested state key prefixes and rejects traversal', () => {
    expect(checkStateKeyPrefix('services/churn-model')).toBeUndefined();
    expect(checkStateKeyPrefix('services/../etc')).toMatch(
      /no "." or ".." segments/,
    );
    expect(checkStateKeyPrefix('services//x')).toMatch(/single "\/"/);
  });
});

describe('regions and partitions', () => {
  // The partitions of the SDK's partition data (@aws-sdk/core, partitions.js), by region.
  it.each([
    ['us-east-1', 'aws'],
    ['il-central-1', 'aws'],
    ['cn-northwest-1', 'aws-cn'],
    ['us-gov-west-1', 'aws-us-gov'],
    ['us-iso-east-1', 'aws-iso'],
    ['us-isob-east-1', 'aws-iso-b'],
    ['eu-isoe-west-1', 'aws-iso-e'],
    ['us-isof-south-1', 'aws-iso-f'],
    ['eusc-de-east-1', 'aws-eusc'],
  ])('%s is in %s', (region, partition) =>
    expect(partitionOf(region)).toBe(partition),
  );

  // Their endpoints do not end in amazonaws.com(.cn), which the registry URIs
  // and policy conditions the actions write assume.
  it.each([
    ['us-iso-east-1', 'aws-iso'],
    ['us-isob-east-1', 'aws-iso-b'],
    ['eu-isoe-west-1', 'aws-iso-e'],
    ['us-isof-south-1', 'aws-iso-f'],
    ['eusc-de-east-1', 'aws-eusc'],
  ])('refuses %s, naming its partition %s and the fix', (region, partition) =>
    expect(checkRegion(region)).toBe(
      `is in the AWS partition ${partition}, which these actions do not support: its endpoints use another DNS ` +
        'suffix than the amazonaws.com (amazonaws.com.cn in China) that their registry URIs and policy conditions assume. ' +
        'Choose a region in aws, aws-cn, aws-us-gov',
    ),
  );

  it.each(['us-isoc-east-1', 'eusc-east-1'])(
    'refuses %s as no region code',
    region => expect(checkRegion(region)).toMatch(/must be an AWS region code/),
  );
});
