import { mockCredentials } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import {
  EntityHealthResponse,
  FleetResponse,
  MLOPS_ANNOTATIONS,
} from '@eks-mlops/backstage-plugin-mlops-common';
import request from 'supertest';
import {
  FixtureServer,
  sendJson,
  startFixture,
  v2Handler,
} from '../__testUtils__/httpFixtures';
import { mlServiceEntity } from '../__testUtils__/entities';
import {
  MlopsTestBackend,
  startMlopsTestBackend,
} from '../__testUtils__/mlopsTestBackend';

jest.setTimeout(60_000);

const mlService = (name: string, url: string) =>
  mlServiceEntity(name, url, {
    annotations: { [MLOPS_ANNOTATIONS.inferenceEnvironment]: 'prod' },
  });

/** A model server that counts calls to its ready route. */
/** A V2 server whose answer the test switches with `counter.answer`. */
async function countingServer(answer: 'healthy' | 'down') {
  const healthy = v2Handler({ modelName: 'm' });
  const counter = { readyCalls: 0, answer };
  const server = await startFixture((req, res, body) => {
    if (req.url === '/v2/health/ready') counter.readyCalls += 1;
    if (counter.answer === 'down') sendJson(res, 503, {});
    else healthy(req, res, body);
  });
  return { server, counter };
}

describe('entity health read path', () => {
  const servers: FixtureServer[] = [];
  let harness: MlopsTestBackend | undefined;

  afterEach(async () => {
    await harness?.close();
    harness = undefined;
    await Promise.all(servers.splice(0).map(s => s.close()));
  });

  const get = (path: string) =>
    request(harness!.backend.server)
      .get(`/api/mlops/v1${path}`)
      .set('authorization', mockCredentials.user.header());

  async function start(entities: Entity[], staleAfter = '1h') {
    harness = await startMlopsTestBackend({
      entities,
      config: { prober: { interval: '1h', jitter: '0s', staleAfter } },
    });
  }

  it('probes a never-probed endpoint once, however many pages ask at the same time', async () => {
    const { server, counter } = await countingServer('healthy');
    servers.push(server);
    await start([mlService('iris', server.url)]);

    const pages = await Promise.all(
      Array.from({ length: 8 }, () =>
        get('/entities/component/default/iris/health'),
      ),
    );
    expect(pages.map(p => p.status)).toEqual(Array(8).fill(200));
    expect(pages.map(p => p.body.endpoints[0].state)).toEqual(
      Array(8).fill('healthy'),
    );
    expect(counter.readyCalls).toBe(1);

    // Fresh now: later page views answer from the store.
    await get('/entities/component/default/iris/health');
    expect(counter.readyCalls).toBe(1);
  });

  it('does not re-probe an endpoint that is backing off, whatever the page loads', async () => {
    const { server, counter } = await countingServer('healthy');
    servers.push(server);
    await start([mlService('flaky', server.url)], '1s');
    await harness!.runProbeCycle();
    counter.answer = 'down';
    await harness!.runProbeCycle();
    expect(counter.readyCalls).toBe(2);
    // Stale now, so only the back-off (one hour) keeps the pages from probing.
    await new Promise(r => setTimeout(r, 1100));

    for (let i = 0; i < 10; i++) {
      const page = await get('/entities/component/default/flaky/health');
      expect(page.body.endpoints[0]).toMatchObject({
        environment: 'prod',
        state: 'down',
      });
    }
    expect(counter.readyCalls).toBe(2);
  });

  it('re-probes on read an endpoint that has never been up, so its first deploy shows on the page', async () => {
    const { server, counter } = await countingServer('down');
    servers.push(server);
    await start([mlService('new-prod', server.url)], '1s');
    await harness!.runProbeCycle();
    await harness!.runProbeCycle();
    expect(counter.readyCalls).toBe(2);
    counter.answer = 'healthy';
    await new Promise(r => setTimeout(r, 1100));

    const page = await get('/entities/component/default/new-prod/health');
    expect(page.body.endpoints[0]).toMatchObject({
      environment: 'prod',
      state: 'healthy',
    });
    expect(counter.readyCalls).toBe(3);
  });

  it('re-probes a stale healthy endpoint on read and the fleet then shows the same result', async () => {
    const { server, counter } = await countingServer('healthy');
    servers.push(server);
    await start([mlService('wine', server.url)], '1s');
    await harness!.runProbeCycle();
    const fleetBefore = (await get('/fleet')).body as FleetResponse;
    expect(counter.readyCalls).toBe(1);
    await new Promise(r => setTimeout(r, 1100));

    const entity = (await get('/entities/component/default/wine/health'))
      .body as EntityHealthResponse;
    expect(counter.readyCalls).toBe(2);
    const fleet = (await get('/fleet')).body as FleetResponse;

    const [onPage] = entity.endpoints;
    const [inFleet] = fleet.items[0].endpoints;
    expect(onPage.checkedAt).not.toBe(
      fleetBefore.items[0].endpoints[0].checkedAt,
    );
    // Same figures; the fleet leaves out tensors and history only.
    const { history, model, ...pageSummary } = onPage;
    const { model: fleetModel, ...fleetSummary } = inFleet;
    expect(fleetSummary).toEqual(pageSummary);
    expect(fleetModel?.name).toBe(model?.name);
    expect(history.length).toBeGreaterThanOrEqual(1);
    expect(onPage.environment).toBe('prod');
  });
});
