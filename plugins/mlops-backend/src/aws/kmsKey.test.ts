import {
  CreateAliasCommand,
  CreateKeyCommand,
  CreateKeyCommandInput,
  DisableKeyCommand,
  KMSClient,
  ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import {
  MOTO_ACCOUNT_ID,
  MOTO_CREDENTIALS,
  MotoServer,
  startMotoServer,
} from '@internal/moto-server';
import { checkEncryptionKey } from './kmsKey';

jest.setTimeout(60_000);

describe('checkEncryptionKey against moto', () => {
  let moto: MotoServer;
  let kms: KMSClient;
  const use = {
    region: 'eu-west-1',
    accountId: MOTO_ACCOUNT_ID,
    subject: 'the state bucket "acme-tfstate"',
  };

  beforeAll(async () => {
    moto = await startMotoServer();
    kms = new KMSClient({
      region: 'eu-west-1',
      endpoint: moto.endpoint,
      credentials: MOTO_CREDENTIALS,
    });
  });
  afterAll(() => moto?.stop());
  beforeEach(() => moto.reset());

  async function createKey(input: CreateKeyCommandInput = {}) {
    const { KeyMetadata } = await kms.send(new CreateKeyCommand(input));
    return { keyId: KeyMetadata!.KeyId!, arn: KeyMetadata!.Arn! };
  }

  it('accepts an enabled symmetric encryption key by ID, ARN, alias and alias ARN', async () => {
    const { keyId, arn } = await createKey();
    await kms.send(
      new CreateAliasCommand({
        AliasName: 'alias/tfstate',
        TargetKeyId: keyId,
      }),
    );
    for (const given of [
      keyId,
      arn,
      'alias/tfstate',
      `arn:aws:kms:eu-west-1:${MOTO_ACCOUNT_ID}:alias/tfstate`,
    ]) {
      await expect(
        checkEncryptionKey(kms, given, use),
      ).resolves.toBeUndefined();
    }
  });

  it('refuses a key that does not exist, naming the field, the place and the fix', async () => {
    await expect(
      checkEncryptionKey(kms, 'alias/tfstate', use),
    ).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringMatching(
        new RegExp(
          `^Invalid input: kmsKeyId "alias/tfstate" names no KMS key in eu-west-1 of account ${MOTO_ACCOUNT_ID} that these credentials can see \\(KMS: .+\\); give the ID, ARN or alias of an existing symmetric encryption key in eu-west-1 for the state bucket "acme-tfstate"$`,
        ),
      ),
    });
  });

  it("names the account of a key ARN, which may be another account's", async () => {
    await expect(
      checkEncryptionKey(
        kms,
        'arn:aws:kms:eu-west-1:210987654321:key/1234abcd-12ab-34cd-56ef-1234567890ab',
        use,
      ),
    ).rejects.toThrow(
      /names no KMS key in eu-west-1 of account 210987654321 that these credentials can see/,
    );
  });

  it('refuses a disabled key and one pending deletion', async () => {
    const disabled = await createKey();
    await kms.send(new DisableKeyCommand({ KeyId: disabled.keyId }));
    await expect(checkEncryptionKey(kms, disabled.keyId, use)).rejects.toThrow(
      `kmsKeyId "${disabled.keyId}" is ${disabled.arn}, which is Disabled: enable it, or give another key`,
    );

    const deleted = await createKey();
    await kms.send(
      new ScheduleKeyDeletionCommand({
        KeyId: deleted.keyId,
        PendingWindowInDays: 7,
      }),
    );
    await expect(checkEncryptionKey(kms, deleted.arn, use)).rejects.toThrow(
      'which is PendingDeletion: enable it (cancel its deletion first), or give another key',
    );
  });

  it('refuses a key that cannot encrypt data for S3, DynamoDB and ECR', async () => {
    const signing = await createKey({
      KeySpec: 'RSA_2048',
      KeyUsage: 'SIGN_VERIFY',
    });
    await expect(checkEncryptionKey(kms, signing.keyId, use)).rejects.toThrow(
      'which is a RSA_2048 key for SIGN_VERIFY: S3, DynamoDB and ECR encrypt only with symmetric encryption keys',
    );
  });
});
