import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { MOTO_CREDENTIALS } from '@internal/moto-server';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { enablePointInTimeRecovery } from './lockTable';

/**
 * A DynamoDB look-alike that, as DynamoDB does right after a table becomes
 * ACTIVE, refuses UpdateContinuousBackups `refusals` times before accepting
 * it; it counts the calls.
 */
function startSettlingDynamoDb(refusals: number) {
  const calls: string[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      calls.push(String(req.headers['x-amz-target']));
      res.setHeader('content-type', 'application/x-amz-json-1.0');
      if (calls.length <= refusals) {
        res.writeHead(400).end(
          JSON.stringify({
            __type:
              'com.amazonaws.dynamodb.v20120810#ContinuousBackupsUnavailableException',
            message:
              'Backups are being enabled for the table: locks. Please retry later',
          }),
        );
        return;
      }
      res.writeHead(200).end(
        JSON.stringify({
          ContinuousBackupsDescription: {
            ContinuousBackupsStatus: 'ENABLED',
            PointInTimeRecoveryDescription: {
              PointInTimeRecoveryStatus: 'ENABLED',
            },
          },
        }),
      );
    });
  });
  return new Promise<{
    server: Server;
    calls: string[];
    client: DynamoDBClient;
  }>(resolve =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      const client = new DynamoDBClient({
        region: 'eu-west-1',
        endpoint: `http://127.0.0.1:${port}`,
        credentials: MOTO_CREDENTIALS,
        maxAttempts: 1,
      });
      resolve({ server, calls, client });
    }),
  );
}

describe('enablePointInTimeRecovery', () => {
  const started: Array<{ server: Server; client: DynamoDBClient }> = [];
  afterEach(async () => {
    for (const { server, client } of started.splice(0)) {
      client.destroy();
      server.closeAllConnections();
      await new Promise(resolve => server.close(resolve));
    }
  });

  it('retries while DynamoDB is still enabling backups on a new table, over real HTTP', async () => {
    const dynamodb = await startSettlingDynamoDb(2);
    started.push(dynamodb);
    await enablePointInTimeRecovery(dynamodb.client, 'locks', [1, 1, 1]);
    expect(dynamodb.calls).toEqual([
      'DynamoDB_20120810.UpdateContinuousBackups',
      'DynamoDB_20120810.UpdateContinuousBackups',
      'DynamoDB_20120810.UpdateContinuousBackups',
    ]);
  });

  it('gives up with the refusal once the delays are spent', async () => {
    const dynamodb = await startSettlingDynamoDb(10);
    started.push(dynamodb);
    await expect(
      enablePointInTimeRecovery(dynamodb.client, 'locks', [1]),
    ).rejects.toThrow('Backups are being enabled for the table: locks');
    expect(dynamodb.calls).toHaveLength(2);
  });
});
