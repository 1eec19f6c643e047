import { MLOPS_ANNOTATIONS } from '@eks-mlops/backstage-plugin-mlops-common';
import { ServerResponse } from 'node:http';
import request from 'supertest';
import {
  FixtureHandler,
  fixtureServers,
  sendJson,
  v2Handler,
} from './__testUtils__/httpFixtures';
import { mlServiceEntity, modelEntity } from './__testUtils__/entities';
import {
  MlopsTestBackend,
  postPrediction,
  startMlopsTestBackend,
} from './__testUtils__/mlopsTestBackend';
import { until } from './__testUtils__/until';

jest.setTimeout(60_000);

const PROBE_TIMEOUT = '30s';
/** Far below the probes' timeout here (30 s) and the warm-up call's (15 s). */
const QUICK_SHUTDOWN_MS = 3_000;

// Each test triggers a probe cycle and shuts down while it waits for an
// answer. The scheduler's trigger settles once that cycle has ended (so
// after the shutdown here): it is awaited last.

/** Never answers; remembers each response so the test sees it closed. */
function holdingHandler(held: ServerResponse[]): FixtureHandler {
  return (_req, res) => {
    held.push(res);
  };
}

/** A model reached through the Kubernetes plugin's proxy, in cluster "demo". */
const proxiedEntity = (name: string) =>
  modelEntity(name, {
    [MLOPS_ANNOTATIONS.kubernetesService]: 'demo/ml/model-a:http',
  });

const CLUSTERS = { items: [{ name: 'demo', authProvider: 'aws' }] };
const SERVICE_PROXY = '/proxy/api/v1/namespaces/ml/services/model-a:http/proxy';

describe('shutdown', () => {
  const fixtures = fixtureServers();
  let running: MlopsTestBackend | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
    await fixtures.closeAll();
  });

  async function backend(
    options: Parameters<typeof startMlopsTestBackend>[0],
  ): Promise<MlopsTestBackend> {
    running = await startMlopsTestBackend(options);
    return running;
  }

  /** Shuts the backend down; how long that took, in ms. */
  async function shutdownMs(): Promise<number> {
    const harness = running!;
    running = undefined;
    const started = performance.now();
    await harness.close();
    return performance.now() - started;
  }

  /** Posts a prediction to `name`'s model; supertest sends it at once. */
  const predict = (harness: MlopsTestBackend, name: string) =>
    postPrediction(harness, name).then(res => res);

  /**
   * Posts predictions to `name`'s model until one is not answered 200, and
   * returns that one: once the shutdown has begun, the next is refused.
   */
  async function firstRefusedPrediction(
    harness: MlopsTestBackend,
    name: string,
  ): Promise<request.Response> {
    for (let i = 0; i < 250; i++) {
      const res = await predict(harness, name);
      if (res.status !== 200) return res;
      await new Promise(resolve => setTimeout(resolve, 20));
    }
    throw new Error(`every prediction to ${name} was answered for 5 s`);
  }

  it('ends the probes in flight instead of waiting for their answers', async () => {
    const held: ServerResponse[] = [];
    const model = await fixtures.start(holdingHandler(held));
    const harness = await backend({
      entities: [mlServiceEntity('silent', model.url)],
      config: {
        prober: { interval: '1h', jitter: '0s', timeout: PROBE_TIMEOUT },
      },
    });
    const triggered = harness.scheduler.triggerTask('mlops-probe-cycle');
    await until(() => held.length > 0, 'the model has a probe call');

    expect(await shutdownMs()).toBeLessThan(QUICK_SHUTDOWN_MS);
    await triggered;
    // The probe's connection was ended, not left to its 30 s timeout.
    await until(() => held.every(res => res.closed), 'the calls are closed');
  });

  it('does not wait for the warm-up call to a Kubernetes plugin that does not answer', async () => {
    const held: ServerResponse[] = [];
    const kubernetes = await fixtures.start((req, res) => {
      if (req.url === '/clusters') {
        sendJson(res, 200, CLUSTERS);
      } else {
        held.push(res);
      }
    });
    const harness = await backend({
      entities: [proxiedEntity('proxied')],
      kubernetesBaseUrl: kubernetes.url,
      config: {
        prober: { interval: '1h', jitter: '0s', timeout: PROBE_TIMEOUT },
      },
    });
    const triggered = harness.scheduler.triggerTask('mlops-probe-cycle');
    await until(
      () => kubernetes.received.some(r => r.path === '/proxy/version'),
      'the warm-up call has reached the Kubernetes plugin',
    );

    expect(await shutdownMs()).toBeLessThan(QUICK_SHUTDOWN_MS);
    await triggered;
    await until(() => held.every(res => res.closed), 'the calls are closed');
  });

  it('lets a prediction in flight have its answer while new requests are refused', async () => {
    const answerPredictions = v2Handler({ modelName: 'm' });
    const heldPredictions: Array<() => void> = [];
    const slow = await fixtures.start((req, res, body) => {
      const answer = () => answerPredictions(req, res, body);
      if (req.url?.endsWith('/infer')) heldPredictions.push(answer);
      else answer();
    });
    const quick = await fixtures.start(answerPredictions);
    const harness = await backend({
      entities: [
        mlServiceEntity('slow', slow.url),
        mlServiceEntity('quick', quick.url),
      ],
    });
    const inFlight = predict(harness, 'slow');
    await until(
      () => heldPredictions.length > 0,
      'the model has the prediction',
    );

    const shutdown = shutdownMs();
    const refused = await firstRefusedPrediction(harness, 'quick');
    expect(refused.status).toBe(503);
    // Backstage's own answer, from the start of the plugin's shutdown.
    expect(refused.body.error.message).toBe('Service is shutting down');
    heldPredictions.forEach(answer => answer());
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(res.body.body.outputs[0].data).toEqual([3]);
    await shutdown;
  });

  // The Kubernetes plugin runs in another backend here. In the same backend it
  // would shut down with this plugin and answer the prediction's next call 503.
  it("lets a prediction waiting for the Kubernetes plugin's cluster list have its answer", async () => {
    const answerPredictions = v2Handler({ modelName: 'm' });
    const heldClusterLists: Array<() => void> = [];
    const kubernetes = await fixtures.start((req, res, body) => {
      const url = req.url ?? '';
      if (url === '/clusters') {
        heldClusterLists.push(() => sendJson(res, 200, CLUSTERS));
      } else if (url.startsWith(SERVICE_PROXY)) {
        req.url = url.slice(SERVICE_PROXY.length);
        answerPredictions(req, res, body);
      } else {
        sendJson(res, 200, { gitVersion: 'v1.31.0' });
      }
    });
    const quick = await fixtures.start(answerPredictions);
    const harness = await backend({
      entities: [proxiedEntity('proxied'), mlServiceEntity('quick', quick.url)],
      kubernetesBaseUrl: kubernetes.url,
    });
    const inFlight = predict(harness, 'proxied');
    // The audit event is created as the prediction starts; the cluster list
    // it waits for may have been asked for by a probe cycle already.
    await until(
      () =>
        heldClusterLists.length > 0 &&
        harness.auditEvents.some(
          e => e.meta?.entityRef === 'component:default/proxied',
        ),
      'the prediction waits for the cluster list',
    );

    const shutdown = shutdownMs();
    expect((await firstRefusedPrediction(harness, 'quick')).status).toBe(503);
    heldClusterLists.forEach(answer => answer());
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(res.body.body.outputs[0].data).toEqual([3]);
    await shutdown;
  });
});
