import {
  CreateTableCommand,
  DescribeContinuousBackupsCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTagsOfResourceCommand,
  TableDescription,
  TagResourceCommand,
  UpdateContinuousBackupsCommand,
  UpdateTableCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { isAwsError } from './awsErrors';
import { retryWhile, SETTLE_DELAYS_MS } from './retryWhile';
import {
  fromTagList,
  missingTags,
  PlannedChange,
  toTagList,
} from './plannedChange';

/** How the legacy Terraform lock table should look. */
export interface DesiredLockTable {
  tableName: string;
  kmsKeyId?: string;
  tags: Record<string, string>;
  /** Longest wait for a new table to become ACTIVE. */
  maxWaitSeconds?: number;
}

export interface LockTableState {
  table?: TableDescription;
  pointInTimeRecovery?: string;
  tags: Record<string, string>;
}

/** Reads the lock table's state; sends no mutating call. */
export async function inspectLockTable(
  dynamodb: DynamoDBClient,
  tableName: string,
): Promise<LockTableState> {
  let table: TableDescription | undefined;
  try {
    table = (
      await dynamodb.send(new DescribeTableCommand({ TableName: tableName }))
    ).Table;
  } catch (error) {
    if (isAwsError(error, 'ResourceNotFoundException')) {
      return { tags: {} };
    }
    throw error;
  }
  const [backups, tags] = await Promise.all([
    dynamodb.send(
      new DescribeContinuousBackupsCommand({ TableName: tableName }),
    ),
    dynamodb.send(
      new ListTagsOfResourceCommand({ ResourceArn: table?.TableArn }),
    ),
  ]);
  return {
    table,
    pointInTimeRecovery:
      backups.ContinuousBackupsDescription?.PointInTimeRecoveryDescription
        ?.PointInTimeRecoveryStatus,
    tags: fromTagList(tags.Tags),
  };
}

function sseSpecification(desired: DesiredLockTable) {
  return desired.kmsKeyId
    ? {
        Enabled: true,
        SSEType: 'KMS' as const,
        KMSMasterKeyId: desired.kmsKeyId,
      }
    : { Enabled: true, SSEType: 'KMS' as const };
}

/**
 * Turns on point-in-time recovery. Right after a table becomes ACTIVE,
 * DynamoDB can refuse that for a while ("Backups are being enabled for the
 * table"), so that refusal is retried.
 */
export async function enablePointInTimeRecovery(
  dynamodb: DynamoDBClient,
  TableName: string,
  delaysMs: readonly number[] = SETTLE_DELAYS_MS,
): Promise<void> {
  await retryWhile(
    error => isAwsError(error, 'ContinuousBackupsUnavailableException'),
    () =>
      dynamodb.send(
        new UpdateContinuousBackupsCommand({
          TableName,
          PointInTimeRecoverySpecification: {
            PointInTimeRecoveryEnabled: true,
          },
        }),
      ),
    delaysMs,
  );
}

/** The read-only decision: which changes bring the lock table to the desired state. */
export function planLockTable(
  dynamodb: DynamoDBClient,
  state: LockTableState,
  desired: DesiredLockTable,
): PlannedChange[] {
  const TableName = desired.tableName;
  const name = `DynamoDB lock table "${TableName}"`;
  const changes: PlannedChange[] = [];
  if (!state.table) {
    changes.push({
      kind: 'create',
      subject: `${name} (PAY_PER_REQUEST, SSE)`,
      apply: async () => {
        await createTable(dynamodb, desired);
        await waitUntilTableExists(
          {
            client: dynamodb,
            maxWaitTime: desired.maxWaitSeconds ?? 300,
            minDelay: 1,
            maxDelay: 5,
          },
          { TableName },
        );
      },
    });
  } else {
    const billing =
      state.table.BillingModeSummary?.BillingMode ?? 'PROVISIONED';
    if (billing !== 'PAY_PER_REQUEST') {
      changes.push({
        kind: 'converge',
        subject: `billing mode of ${name}`,
        from: billing,
        to: 'PAY_PER_REQUEST',
        apply: () =>
          dynamodb
            .send(
              new UpdateTableCommand({
                TableName,
                BillingMode: 'PAY_PER_REQUEST',
              }),
            )
            .then(() => undefined),
      });
    }
    const sse = state.table.SSEDescription?.Status;
    if (sse !== 'ENABLED' && sse !== 'ENABLING') {
      changes.push({
        kind: 'converge',
        subject: `encryption of ${name}`,
        from: 'AWS owned key',
        to: 'KMS',
        apply: () =>
          dynamodb
            .send(
              new UpdateTableCommand({
                TableName,
                SSESpecification: sseSpecification(desired),
              }),
            )
            .then(() => undefined),
      });
    }
  }
  if (state.pointInTimeRecovery !== 'ENABLED') {
    changes.push({
      kind: 'converge',
      subject: `point-in-time recovery of ${name}`,
      from: state.pointInTimeRecovery,
      to: 'ENABLED',
      apply: () => enablePointInTimeRecovery(dynamodb, TableName),
    });
  }
  const tagsToSet = state.table ? missingTags(state.tags, desired.tags) : {};
  if (Object.keys(tagsToSet).length > 0) {
    changes.push({
      kind: 'converge',
      subject: `tags of ${name}`,
      from: 'missing or different',
      to: Object.keys(tagsToSet).sort().join(', '),
      apply: () =>
        dynamodb
          .send(
            new TagResourceCommand({
              ResourceArn: state.table?.TableArn,
              Tags: toTagList(tagsToSet),
            }),
          )
          .then(() => undefined),
    });
  }
  return changes;
}

async function createTable(
  dynamodb: DynamoDBClient,
  desired: DesiredLockTable,
): Promise<void> {
  try {
    await dynamodb.send(
      new CreateTableCommand({
        TableName: desired.tableName,
        AttributeDefinitions: [{ AttributeName: 'LockID', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'LockID', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
        SSESpecification: sseSpecification(desired),
        DeletionProtectionEnabled: true,
        Tags: toTagList(desired.tags),
      }),
    );
  } catch (error) {
    if (!isAwsError(error, 'ResourceInUseException')) {
      throw error;
    }
  }
}
