import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { Request } from 'express';
import { fixtureServers, v2Handler } from '../__testUtils__/httpFixtures';
import { mlServiceEntity } from '../__testUtils__/entities';
import { V2_PREDICTION_BODY } from '../__testUtils__/mlopsTestBackend';
import { until } from '../__testUtils__/until';
import { MlServiceCatalog } from '../catalog/MlServiceCatalog';
import { createOutboundClient, OutboundClient } from '../outbound';
import { PredictService } from './PredictService';

describe('PredictService.drain', () => {
  const fixtures = fixtureServers();
  let client: OutboundClient | undefined;
  afterEach(async () => {
    await client?.destroy();
    client = undefined;
    await fixtures.closeAll();
  });

  async function predictService(models: Record<string, string>) {
    client = createOutboundClient({
      allowPrivateNetworks: true,
      timeoutMs: 10_000,
    });
    const entities = Object.entries(models).map(([name, url]) =>
      mlServiceEntity(name, url),
    );
    return new PredictService({
      catalog: new MlServiceCatalog(
        catalogServiceMock({ entities }),
        mockServices.logger.mock(),
      ),
      permissions: mockServices.permissions(),
      auditor: mockServices.auditor.mock(),
      client,
    });
  }

  const call = (name: string) => ({
    entityRef: `component:default/${name}`,
    body: V2_PREDICTION_BODY,
    credentials: mockCredentials.user(),
    request: {} as Request,
  });

  /** Whether `promise` has settled after the fixtures' sockets had a turn. */
  async function hasSettled(promise: Promise<unknown>): Promise<boolean> {
    let settled = false;
    promise.then(
      () => (settled = true),
      () => (settled = true),
    );
    await new Promise(resolve => setTimeout(resolve, 100));
    return settled;
  }

  it('resolves once the predictions in flight have their answers, failed or not', async () => {
    const answerPredictions = v2Handler({ modelName: 'm' });
    const held: Array<() => void> = [];
    const answering = await fixtures.start((req, res, body) =>
      held.push(() => answerPredictions(req, res, body)),
    );
    const failing = await fixtures.start(req =>
      held.push(() => req.socket.destroy()),
    );
    const service = await predictService({
      answering: answering.url,
      failing: failing.url,
    });

    const answered = service.predict(call('answering'));
    const failed = service.predict(call('failing'));
    await until(() => held.length === 2, 'both models have a prediction');
    const drained = service.drain();
    expect(await hasSettled(drained)).toBe(false);

    held.forEach(release => release());
    await expect(answered).resolves.toMatchObject({ status: 200 });
    await expect(failed).rejects.toThrow(/did not answer/);
    await expect(drained).resolves.toBeUndefined();
  });

  it('resolves at once with nothing in flight', async () => {
    const service = await predictService({});
    expect(await hasSettled(service.drain())).toBe(true);
  });
});
