import { InputError } from '@backstage/errors';
import {
  CallRecorder,
  recordingFactory,
  runAction,
} from '../__testUtils__/actionHarness';
import { iamSnapshot, motoGithubConfig } from '../__testUtils__/iamMoto';
import { MotoServer, startMotoServer } from '@internal/moto-server';
import { ecrEnsureAction } from './ecrEnsure';
import { githubOidcEnsureAction } from './githubOidcEnsure';
import { tfstateEnsureAction } from './tfstateEnsure';

jest.setTimeout(60_000);

const invalidTfstateInputs: Array<[string, Record<string, unknown>, RegExp]> = [
  [
    'too short',
    { bucketName: 'ab' },
    /bucketName "ab" must be 3 to 63 characters long \(it is 2\)/,
  ],
  [
    'too long',
    { bucketName: 'a'.repeat(64) },
    /bucketName "a{64}" must be 3 to 63 characters long/,
  ],
  [
    'uppercase',
    { bucketName: 'My-State' },
    /bucketName "My-State" may contain only lowercase letters, digits, dots and hyphens/,
  ],
  [
    'underscore',
    { bucketName: 'my_state' },
    /bucketName "my_state" may contain only lowercase/,
  ],
  [
    'leading hyphen',
    { bucketName: '-state' },
    /bucketName "-state" must begin and end with a lowercase letter or digit/,
  ],
  [
    'trailing hyphen',
    { bucketName: 'state-' },
    /must begin and end with a lowercase letter or digit/,
  ],
  [
    'adjacent dots',
    { bucketName: 'my..state' },
    /bucketName "my..state" must not contain two adjacent dots/,
  ],
  [
    'ip address',
    { bucketName: '192.168.5.4' },
    /bucketName "192.168.5.4" must not be formatted as an IP address/,
  ],
  [
    'xn-- prefix',
    { bucketName: 'xn--state' },
    /must not start with the reserved prefix "xn--"/,
  ],
  [
    'sthree- prefix',
    { bucketName: 'sthree-state' },
    /must not start with the reserved prefix "sthree-"/,
  ],
  [
    'amzn-s3-demo- prefix',
    { bucketName: 'amzn-s3-demo-state' },
    /reserved prefix "amzn-s3-demo-"/,
  ],
  [
    '-s3alias suffix',
    { bucketName: 'state-s3alias' },
    /must not end with the reserved suffix "-s3alias"/,
  ],
  [
    '--ol-s3 suffix',
    { bucketName: 'state--ol-s3' },
    /reserved suffix "--ol-s3"/,
  ],
  ['.mrap suffix', { bucketName: 'state.mrap' }, /reserved suffix ".mrap"/],
  ['--x-s3 suffix', { bucketName: 'state--x-s3' }, /reserved suffix "--x-s3"/],
  [
    'dotted name (TLS)',
    { bucketName: 'my.state' },
    /must not contain dots: a dotted name breaks TLS/,
  ],
  ['missing bucket', { bucketName: '' }, /bucketName "" is required/],
  [
    'bad region',
    { region: 'europe-west1' },
    /region "europe-west1" must be an AWS region code/,
  ],
  [
    'bad account',
    { accountId: '12345' },
    /accountId "12345" must be exactly 12 digits/,
  ],
  [
    'bad kms key',
    { kmsKeyId: 'my key' },
    /kmsKeyId "my key" must be a KMS key ID/,
  ],
  [
    'kms key with AES256',
    { encryption: 'AES256', kmsKeyId: 'alias/x' },
    /kmsKeyId "alias\/x" applies only to KMS encryption/,
  ],
  [
    'a kms key of another region',
    { kmsKeyId: 'arn:aws:kms:us-east-1:123456789012:alias/tfstate' },
    /kmsKeyId "arn:aws:kms:us-east-1:123456789012:alias\/tfstate" is a key of us-east-1, but S3, DynamoDB and ECR encrypt only with a key of their own region: give a key of eu-west-1/,
  ],
  [
    'bad lock table',
    { lockTable: 'lo' },
    /lockTable "lo" must be 3 to 255 characters/,
  ],
  [
    'bad state key prefix',
    { stateKeyPrefix: '/abs/../path/' },
    /stateKeyPrefix "\/abs\/..\/path\/" must be path segments/,
  ],
  [
    'reserved tag key',
    { tags: { 'aws:owner': 'x' } },
    /tags.aws:owner "x" tag keys must not start with the reserved prefix "aws:"/,
  ],
];

const invalidEcrInputs: Array<[string, Record<string, unknown>, RegExp]> = [
  [
    'uppercase',
    { repositoryName: 'ML/Model' },
    /repositoryName "ML\/Model" must be lowercase letters and digits/,
  ],
  [
    'one character',
    { repositoryName: 'a' },
    /repositoryName "a" must be 2 to 256 characters long/,
  ],
  ['double separator', { repositoryName: 'ml--model' }, /separated by single/],
  [
    'trailing slash',
    { repositoryName: 'ml/' },
    /repositoryName "ml\/" must be lowercase/,
  ],
  [
    'leading separator',
    { repositoryName: '_model' },
    /repositoryName "_model" must be lowercase/,
  ],
  [
    'bad region',
    { region: 'US-EAST-1' },
    /region "US-EAST-1" must be an AWS region code/,
  ],
  [
    'a kms key of another region',
    { kmsKeyId: 'arn:aws:kms:eu-central-1:123456789012:key/1234abcd' },
    /kmsKeyId "arn:aws:kms:eu-central-1:123456789012:key\/1234abcd" is a key of eu-central-1, .*give a key of eu-west-1/,
  ],
  [
    'bad principal',
    { pullPrincipals: ['someone'] },
    /pullPrincipals\[0\] "someone" must be a 12-digit account ID or an IAM ARN/,
  ],
  [
    'a principal of another partition than the region',
    {
      region: 'cn-north-1',
      pullPrincipals: ['arn:aws:iam::123456789012:role/eks-nodes'],
    },
    /pullPrincipals\[0\] "arn:aws:iam::123456789012:role\/eks-nodes" is in the partition aws, but region "cn-north-1" is in aws-cn, .*give the ARN in aws-cn \(arn:aws-cn:iam::…\) or the 12-digit account ID/,
  ],
  [
    'a region of an isolated partition',
    { region: 'us-iso-east-1' },
    /region "us-iso-east-1" is in the AWS partition aws-iso, which these actions do not support: .*Choose a region in aws, aws-cn, aws-us-gov/,
  ],
  [
    'bad lifecycle count',
    { lifecycle: { keepLastTagged: 0 } },
    /lifecycle.keepLastTagged 0 must be a whole number from 1 to 10000/,
  ],
  [
    'a protected tag prefix that cannot start an image tag',
    { lifecycle: { protectedTagPrefixes: ['prod', '-dev'] } },
    /lifecycle.protectedTagPrefixes\[1\] "-dev" must be 1 to 128 letters, digits/,
  ],
  [
    'a protected tag prefix that starts another',
    { lifecycle: { protectedTagPrefixes: ['prod', 'prod-eu'] } },
    /lifecycle.protectedTagPrefixes\[1\] "prod-eu" starts with the prefix "prod", so ECR would count its images under that rule/,
  ],
  [
    'a protected tag prefix listed twice',
    { lifecycle: { protectedTagPrefixes: ['dev', 'dev'] } },
    /lifecycle.protectedTagPrefixes\[0\] "dev" is listed twice/,
  ],
  [
    'fractional days',
    { lifecycle: { expireUntaggedAfterDays: 1.5 } },
    /lifecycle.expireUntaggedAfterDays 1.5 must be a whole number/,
  ],
];

const validGithubOidcInput = {
  githubOwner: 'acme',
  githubRepo: 'churn-model',
  environments: ['dev', 'prod'],
  defaultBranch: 'main',
  namePrefix: 'churn-model',
  region: 'eu-west-1',
  stateBucket: 'churn-model-tfstate',
  stateKeyPrefix: 'churn-model',
};

const invalidGithubOidcInputs: Array<
  [string, Record<string, unknown>, RegExp]
> = [
  ['missing owner', { githubOwner: '' }, /githubOwner "" is required/],
  [
    'a subject prefix of another shape',
    { subjectPrefix: 'repo:acme/churn-model:environment:prod' },
    /subjectPrefix "repo:acme\/churn-model:environment:prod" must be repo:OWNER\/REPO or repo:OWNER@ID\/REPO@ID/,
  ],
  [
    'a subject prefix of another repository',
    { subjectPrefix: 'repo:acme@1/other-model@2' },
    /subjectPrefix "repo:acme@1\/other-model@2" must name the repository acme\/churn-model \(githubOwner\/githubRepo\), not acme\/other-model/,
  ],
  [
    'owner starting with a hyphen',
    { githubOwner: '-acme' },
    /githubOwner "-acme" must be a GitHub user or organisation name/,
  ],
  [
    'owner of 40 characters',
    { githubOwner: 'a'.repeat(40) },
    /githubOwner "a{40}" must be a GitHub user or organisation name: 1 to 39/,
  ],
  [
    'repository with a slash',
    { githubRepo: 'acme/churn' },
    /githubRepo "acme\/churn" must be a GitHub repository name/,
  ],
  ['repository ".."', { githubRepo: '..' }, /githubRepo ".." must be a GitHub/],
  [
    'repository ending in .git',
    { githubRepo: 'churn.git' },
    /githubRepo "churn.git" must not end in ".git"/,
  ],
  [
    'no environments',
    { environments: [] },
    /environments \[\] must list 1 to 10 environment names/,
  ],
  [
    'eleven environments',
    { environments: Array.from({ length: 11 }, (_, i) => `e${i}`) },
    /environments .* must list 1 to 10 environment names/,
  ],
  [
    'environment with a space',
    { environments: ['dev', 'pro d'] },
    /environments\[1\] "pro d" must be 1 to 50 letters, digits/,
  ],
  [
    'environments repeated in another case',
    { environments: ['dev', 'DEV'] },
    /environments \["dev","DEV"\] must be unique, ignoring case .*repeated: dev/,
  ],
  [
    'branch with ".."',
    { defaultBranch: 'release..1' },
    /defaultBranch "release..1" must be a branch name/,
  ],
  [
    'branch ending in .lock',
    { defaultBranch: 'main.lock' },
    /defaultBranch "main.lock" must be a branch name/,
  ],
  [
    'name prefix with an underscore',
    { namePrefix: 'churn_model' },
    /namePrefix "churn_model" must be letters, digits and hyphens/,
  ],
  [
    'role names over 64 characters',
    { namePrefix: 'a'.repeat(40), environments: ['development'] },
    /namePrefix "a{40}" makes the role name "a{40}-development-ci-terraform" 65 characters long; IAM allows 64/,
  ],
  [
    'uppercase state bucket',
    { stateBucket: 'Churn-State' },
    /stateBucket "Churn-State" may contain only lowercase/,
  ],
  [
    'wildcard in the state key prefix',
    { stateKeyPrefix: 'svc/*' },
    /stateKeyPrefix "svc\/\*" must be path segments .* no "\*", "\?" or "\$"/,
  ],
  [
    'absolute state key prefix',
    { stateKeyPrefix: '/svc' },
    /stateKeyPrefix "\/svc" must be path segments/,
  ],
  [
    'a GitHub host given as a URL',
    { githubHost: 'https://github.example.com' },
    /githubHost "https:\/\/github.example.com" must be the host name of the GitHub instance .*without scheme, port or path/,
  ],
  [
    'a github.com API host',
    { githubHost: 'api.github.com' },
    /githubHost "api.github.com" is a host of github.com, not a GitHub instance: give github.com/,
  ],
  [
    'a GHE.com API host',
    { githubHost: 'api.octocorp.ghe.com' },
    /githubHost "api.octocorp.ghe.com" must be the enterprise's own host <subdomain>.ghe.com/,
  ],
  [
    'a state region of an isolated partition',
    { stateRegion: 'us-isob-east-1' },
    /stateRegion "us-isob-east-1" is in the AWS partition aws-iso-b, which these actions do not support/,
  ],
  [
    'state region in another partition',
    { stateRegion: 'cn-north-1' },
    /stateRegion "cn-north-1" must be in the same AWS partition as region "eu-west-1"/,
  ],
  [
    'bad lock table',
    { stateLockTable: 'lo' },
    /stateLockTable "lo" must be 3 to 255 characters/,
  ],
  [
    'dataset URI that is not S3',
    { datasetUri: 'https://data.example.com/x.csv' },
    /datasetUri "https:\/\/data.example.com\/x.csv" must be an S3 object URI/,
  ],
  [
    'dataset bucket with uppercase',
    { datasetUri: 's3://Data/x.csv' },
    /datasetUri "s3:\/\/Data\/x.csv" names a bucket that may contain only lowercase/,
  ],
  [
    'wildcard in the dataset key',
    { datasetUri: 's3://data/sets/*.csv' },
    /datasetUri "s3:\/\/data\/sets\/\*.csv" must be path segments/,
  ],
  [
    'bad region',
    { region: 'eu-west' },
    /region "eu-west" must be an AWS region code/,
  ],
  [
    'bad account',
    { accountId: '12345678901' },
    /accountId "12345678901" must be exactly 12 digits/,
  ],
  [
    'the ownership tag in tags',
    { tags: { 'mlops:github-repository': 'acme/other' } },
    /tags.mlops:github-repository "acme\/other" is set by the action itself/,
  ],
  [
    'reserved tag key',
    { tags: { 'aws:team': 'ml' } },
    /tags.aws:team "ml" tag keys must not start with the reserved prefix "aws:"/,
  ],
];

describe('invalid input is rejected before any AWS request', () => {
  let moto: MotoServer;
  const recorder = new CallRecorder();
  let tfstate: ReturnType<typeof tfstateEnsureAction>;
  let ecr: ReturnType<typeof ecrEnsureAction>;
  let githubOidc: ReturnType<typeof githubOidcEnsureAction>;

  beforeAll(async () => {
    moto = await startMotoServer();
    const awsClientFactory = recordingFactory(moto.endpoint, recorder);
    tfstate = tfstateEnsureAction(awsClientFactory);
    ecr = ecrEnsureAction(awsClientFactory);
    githubOidc = githubOidcEnsureAction(
      awsClientFactory,
      motoGithubConfig(moto.endpoint),
    );
  });
  afterAll(() => moto?.stop());
  beforeEach(() => recorder.clear());

  it.each(invalidTfstateInputs)(
    'mlops:tfstate:ensure rejects %s',
    async (_name, override, message) => {
      const before = await moto.snapshot();
      for (const dryRun of [false, true]) {
        const run = runAction(
          tfstate,
          { bucketName: 'valid-state', region: 'eu-west-1', ...override },
          { dryRun },
        );
        await expect(run).rejects.toThrow(InputError);
        await expect(
          runAction(
            tfstate,
            { bucketName: 'valid-state', region: 'eu-west-1', ...override },
            { dryRun },
          ),
        ).rejects.toThrow(message);
      }
      expect(recorder.calls).toEqual([]);
      expect(await moto.snapshot()).toEqual(before);
    },
  );

  it.each(invalidEcrInputs)(
    'mlops:ecr:ensure rejects %s',
    async (_name, override, message) => {
      await expect(
        runAction(ecr, {
          repositoryName: 'valid-repo',
          region: 'eu-west-1',
          ...override,
        }),
      ).rejects.toThrow(message);
      expect(recorder.calls).toEqual([]);
    },
  );

  describe('a KMS key AWS does not have', () => {
    // Checked with kms:DescribeKey: S3 would accept the ID and fail only at
    // Terraform's first write.
    const missingKey = 'alias/no-such-key';

    it('is refused by mlops:tfstate:ensure before anything is created, dry run included', async () => {
      const before = await moto.snapshot();
      for (const dryRun of [false, true]) {
        await expect(
          runAction(
            tfstate,
            {
              bucketName: 'valid-state',
              region: 'eu-west-1',
              kmsKeyId: missingKey,
              lockTable: 'valid-locks',
            },
            { dryRun },
          ),
        ).rejects.toThrow(
          /^Invalid input: kmsKeyId "alias\/no-such-key" names no KMS key in eu-west-1 of account \d{12} that these credentials can see \(KMS: .+\); give the ID, ARN or alias of an existing symmetric encryption key in eu-west-1 for the state bucket "valid-state" and the lock table "valid-locks"$/,
        );
      }
      expect(recorder.calls).toContain('DescribeKey');
      expect(recorder.mutating()).toEqual([]);
      expect(await moto.snapshot()).toEqual(before);
    });

    it('is refused by mlops:ecr:ensure before the repository is created', async () => {
      const before = await moto.snapshot();
      await expect(
        runAction(ecr, {
          repositoryName: 'valid-repo',
          region: 'eu-west-1',
          kmsKeyId: missingKey,
        }),
      ).rejects.toThrow(
        /kmsKeyId "alias\/no-such-key" names no KMS key in eu-west-1 .* for the ECR repository "valid-repo"$/,
      );
      expect(recorder.mutating()).toEqual([]);
      expect(await moto.snapshot()).toEqual(before);
    });
  });

  it.each(invalidGithubOidcInputs)(
    'mlops:github-oidc:ensure rejects %s',
    async (_name, override, message) => {
      const before = await iamSnapshot(moto.endpoint);
      for (const dryRun of [false, true]) {
        const run = runAction(
          githubOidc,
          { ...validGithubOidcInput, ...override },
          { dryRun },
        );
        await expect(run).rejects.toThrow(InputError);
        await expect(run).rejects.toThrow(message);
      }
      expect(recorder.calls).toEqual([]);
      expect(await iamSnapshot(moto.endpoint)).toEqual(before);
    },
  );

  it('lists every broken rule at once', async () => {
    await expect(
      runAction(tfstate, {
        bucketName: 'Bad_Name',
        region: 'nowhere',
        accountId: 'x',
      }),
    ).rejects.toThrow(
      /bucketName "Bad_Name" may contain only.*; region "nowhere" must be an AWS region code.*; accountId "x" must be exactly 12 digits/,
    );
  });
});
