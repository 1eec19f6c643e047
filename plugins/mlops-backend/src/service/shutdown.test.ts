import { mockCredentials } from '@backstage/backend-test-utils';
import { MLOPS_ANNOTATIONS } from '@eks-mlops/backstage-plugin-mlops-common';
import { ServerResponse } from 'node:http';
import request from 'supertest';
import {
  FixtureHandler,
  fixtureServers,
  sendJson,
  v2Handler,
} from './__testUtils__/httpFixtures';
import { mlServiceEntity } from './__testUtils__/entities';
import {
  MlopsTestBackend,
  startMlopsTestBackend,
} from './__testUtils__/mlopsTestBackend';

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

/** Resolves once `condition` holds, checking every 20 ms for up to 20 s. */
async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (condition()) return;
    await new Promise(resolve => setTimeout(resolve, 20));
  }
  throw new Error(`timed out waiting until ${what}`);
}

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
        sendJson(res, 200, { items: [{ name: 'demo', authProvider: 'aws' }] });
      } else {
        held.push(res);
      }
    });
    const harness = await backend({
      entities: [
        {
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'Component',
          metadata: {
            name: 'proxied',
            annotations: {
              [MLOPS_ANNOTATIONS.modelName]: 'm',
              [MLOPS_ANNOTATIONS.kubernetesService]: 'demo/ml/model-a:http',
            },
          },
          spec: { type: 'service', lifecycle: 'production', owner: 'team' },
        },
      ],
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

  it('lets a prediction in flight have its answer', async () => {
    const answerPredictions = v2Handler({ modelName: 'm' });
    const model = await fixtures.start((req, res, body) => {
      const answer = () => answerPredictions(req, res, body);
      if (req.url?.endsWith('/infer')) setTimeout(answer, 500);
      else answer();
    });
    const harness = await backend({
      entities: [mlServiceEntity('predicting', model.url)],
    });
    const prediction = request(harness.backend.server)
      .post('/api/mlops/v1/entities/component/default/predicting/predict')
      .set('authorization', mockCredentials.user.header())
      .send({
        body: {
          inputs: [
            { name: 'x', datatype: 'FP32', shape: [1, 2], data: [1, 2] },
          ],
        },
      })
      // supertest sends the request once it is awaited or then() is called.
      .then(res => res);
    await until(
      () => model.received.some(r => r.path.endsWith('/infer')),
      'the model has the prediction',
    );

    const [res] = await Promise.all([prediction, shutdownMs()]);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe(200);
    expect(res.body.body.outputs[0].data).toEqual([3]);
  });
});
