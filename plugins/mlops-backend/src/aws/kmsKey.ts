import {
  DescribeKeyCommand,
  KeyMetadata,
  KMSClient,
  NotFoundException,
} from '@aws-sdk/client-kms';
import { invalidInput, kmsArnParts } from './validation';

/** What decides whether a key can encrypt. */
type KeyFacts = Pick<KeyMetadata, 'Arn' | 'KeyState' | 'KeyUsage' | 'KeySpec'>;

/** Where `kmsKeyId` is used, to name it in a refusal. */
export interface EncryptionKeyUse {
  region: string;
  accountId: string;
  /** What the key would encrypt, e.g. `the state bucket "acme-tfstate"`. */
  subject: string;
}

/**
 * Checks, before anything is created, that `keyId` names a KMS key that can
 * encrypt `use.subject`: it exists (as the action's credentials see it, in
 * the region), it is enabled, and it is a symmetric encryption key, the only
 * kind S3, DynamoDB and ECR encrypt with. S3 accepts any key ID when bucket
 * encryption is set and fails only at the first write, Terraform's. Throws an
 * InputError naming `kmsKeyId` and the fix; AWS refusing `kms:DescribeKey`
 * propagates as the access-denied error that names it.
 */
export async function checkEncryptionKey(
  kms: KMSClient,
  keyId: string,
  use: EncryptionKeyUse,
): Promise<void> {
  const key = await describeKey(kms, keyId, use);
  const problem = unusableBecause(key);
  if (problem) {
    throw refusal(keyId, `is ${key.Arn ?? keyId}, which ${problem}`);
  }
}

async function describeKey(
  kms: KMSClient,
  keyId: string,
  use: EncryptionKeyUse,
): Promise<KeyFacts> {
  try {
    const { KeyMetadata: key } = await kms.send(
      new DescribeKeyCommand({ KeyId: keyId }),
    );
    return key ?? {};
  } catch (error) {
    if (!(error instanceof NotFoundException)) {
      throw error;
    }
    // A key ARN names its own account, possibly another one whose key policy lets this one in.
    const account = kmsArnParts(keyId)?.account ?? use.accountId;
    throw refusal(
      keyId,
      `names no KMS key in ${use.region} of account ${account} that these credentials can see (KMS: ${error.message}); ` +
        `give the ID, ARN or alias of an existing symmetric encryption key in ${use.region} for ${use.subject}`,
    );
  }
}

function unusableBecause(key: KeyFacts): string | undefined {
  if (key.KeyState !== 'Enabled') {
    const cancelFirst =
      key.KeyState === 'PendingDeletion' ? ' (cancel its deletion first)' : '';
    return `is ${
      key.KeyState ?? 'not enabled'
    }: enable it${cancelFirst}, or give another key`;
  }
  // KMS's defaults, which an emulator may leave out of its answer.
  const usage = key.KeyUsage ?? 'ENCRYPT_DECRYPT';
  const spec = key.KeySpec ?? 'SYMMETRIC_DEFAULT';
  if (usage !== 'ENCRYPT_DECRYPT' || spec !== 'SYMMETRIC_DEFAULT') {
    return (
      `is a ${spec} key for ${usage}: S3, DynamoDB and ECR encrypt only with ` +
      'symmetric encryption keys (SYMMETRIC_DEFAULT, ENCRYPT_DECRYPT); give one of those'
    );
  }
  return undefined;
}

function refusal(keyId: string, rule: string): Error {
  return invalidInput([{ field: 'kmsKeyId', value: keyId, rule }]);
}
