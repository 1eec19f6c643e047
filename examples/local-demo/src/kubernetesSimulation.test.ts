import {
  createKubernetesTestDouble,
  KubernetesObject,
} from '@internal/kubernetes-test-double';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import {
  DEMO_CLUSTER,
  demoKubernetesTargets,
  doubleServiceTargets,
} from './kubernetesSimulation';

function service(name: string, portName = 'http'): KubernetesObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'ml-services' },
    spec: {
      selector: { 'app.kubernetes.io/name': name },
      ports: [{ name: portName, port: 80, targetPort: portName }],
    },
  } as KubernetesObject;
}

const demo = (name: string, environments: string[]) => ({
  name,
  environments,
  repoDir: `/tmp/${name}`,
});

describe('demoKubernetesTargets', () => {
  const servers = [
    { service: 'fraud-score', environment: 'prod', url: 'http://127.0.0.1:1' },
    { service: 'churn-model', environment: 'staging', url: 'http://s:2' },
    { service: 'churn-model', environment: 'prod', url: 'http://p:3' },
  ];

  it("targets a proxied service's Service at its http port, forwarded to its last environment's server", () => {
    expect(
      demoKubernetesTargets(
        [service('fraud-score'), service('churn-model')],
        [
          demo('fraud-score', ['prod']),
          demo('churn-model', ['staging', 'prod']),
        ],
        servers,
        ['fraud-score', 'churn-model'],
      ),
    ).toEqual([
      {
        service: 'fraud-score',
        namespace: 'ml-services',
        annotation: `${DEMO_CLUSTER}/ml-services/fraud-score:http`,
        url: 'http://127.0.0.1:1',
      },
      {
        service: 'churn-model',
        namespace: 'ml-services',
        annotation: `${DEMO_CLUSTER}/ml-services/churn-model:http`,
        url: 'http://p:3',
      },
    ]);
  });

  it('leaves out services not proxied, without a Service, an http port or a server', () => {
    expect(
      demoKubernetesTargets(
        [service('churn-model'), service('demand-forecast', 'metrics')],
        [
          demo('fraud-score', ['prod']),
          demo('churn-model', ['staging', 'prod']),
          demo('demand-forecast', ['prod']),
        ],
        servers.filter(s => s.environment !== 'prod'),
        ['fraud-score', 'churn-model', 'demand-forecast'],
      ),
    ).toEqual([]);
  });
});

describe('the simulation with the demo targets', () => {
  let model: Server;
  beforeAll(async () => {
    model = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ path: req.url, ready: true }));
    });
    await new Promise<void>(resolve =>
      model.listen(0, '127.0.0.1', () => resolve()),
    );
  });
  afterAll(() => new Promise(resolve => model.close(resolve)));

  it("forwards the proxied Service's proxy subresource to its model server", async () => {
    const url = `http://127.0.0.1:${(model.address() as AddressInfo).port}`;
    const manifests = [service('fraud-score')];
    const targets = demoKubernetesTargets(
      manifests,
      [demo('fraud-score', ['prod'])],
      [{ service: 'fraud-score', environment: 'prod', url }],
    );
    const double = await createKubernetesTestDouble({
      manifests,
      serviceTargets: doubleServiceTargets(targets),
    });
    try {
      const res = await fetch(
        `${double.url}/api/v1/namespaces/ml-services/services/fraud-score:http/proxy/v2/health/ready`,
      );
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        path: '/v2/health/ready',
        ready: true,
      });
    } finally {
      await double.stop();
    }
  });
});
