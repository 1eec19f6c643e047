import fs from 'node:fs';
import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import path from 'node:path';
import {
  createKubernetesTestDouble,
  KubernetesTestDouble,
} from './createKubernetesTestDouble';
import { KubernetesObject } from './types';
import { parseManifests } from './manifests';

const MANIFESTS = fs.readFileSync(
  path.join(__dirname, '__fixtures__/rendered-manifests.yaml'),
  'utf8',
);
const PROXY = '/api/v1/namespaces/ml-services/services';

interface Received {
  method?: string;
  url?: string;
  headers: IncomingHttpHeaders;
  body: string;
}

describe('the services/proxy subresource', () => {
  let model: Server;
  let modelUrl: string;
  const received: Received[] = [];
  let double: KubernetesTestDouble | undefined;

  beforeAll(async () => {
    model = createServer((req, res) => {
      let body = '';
      req.on('data', chunk => (body += chunk));
      req.on('end', () => {
        received.push({
          method: req.method,
          url: req.url,
          headers: req.headers,
          body,
        });
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ answered: req.url }));
      });
    });
    await new Promise<void>(r => model.listen(0, '127.0.0.1', r));
    modelUrl = `http://127.0.0.1:${(model.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    received.length = 0;
    await double?.stop();
    double = undefined;
  });
  afterAll(() => new Promise(r => model.close(r)));

  it('forwards any method, path, query and body to the mapped local URL', async () => {
    double = await createKubernetesTestDouble({
      manifests: MANIFESTS,
      serviceTargets: { 'ml-services/churn-model': modelUrl },
    });
    const response = await fetch(
      `${double.url}${PROXY}/churn-model:http/proxy/v2/models/churn-model/infer?x=1`,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: 'Bearer cluster-token',
        },
        body: '{"inputs":[]}',
      },
    );
    expect(response.status).toBe(201);
    expect(response.headers.get('x-kubernetes-test-double')).toBe('simulation');
    expect(await response.json()).toEqual({
      answered: '/v2/models/churn-model/infer?x=1',
    });
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({
      method: 'POST',
      body: '{"inputs":[]}',
    });
    expect(received[0].headers.authorization).toBeUndefined();
    // The port by number, too.
    const byNumber = await fetch(
      `${double.url}${PROXY}/churn-model:80/proxy/v2/health/ready`,
    );
    expect(byNumber.status).toBe(201);
    expect(double.requests.at(-1)).toMatchObject({
      method: 'GET',
      status: 201,
    });
  });

  it('forwards to the proxy-target annotation of the Service', async () => {
    const objects = parseManifests(MANIFESTS).map((object: KubernetesObject) =>
      object.kind === 'Service'
        ? {
            ...object,
            metadata: {
              ...object.metadata,
              annotations: {
                'kubernetes-test-double/proxy-target': modelUrl,
              },
            },
          }
        : object,
    );
    double = await createKubernetesTestDouble({ manifests: objects });
    const response = await fetch(
      `${double.url}${PROXY}/churn-model:http/proxy/v2/health/live`,
    );
    expect(response.status).toBe(201);
    expect(received[0].url).toBe('/v2/health/live');
  });

  it('answers as an API server for unknown Services, ports and unmapped Services', async () => {
    double = await createKubernetesTestDouble({
      manifests: MANIFESTS,
      serviceTargets: { 'ml-services/churn-model': modelUrl },
    });
    const status = async (suffix: string) => {
      const response = await fetch(`${double!.url}${suffix}`);
      const body = await response.json();
      return [response.status, body.message];
    };
    expect(await status(`${PROXY}/nope:http/proxy/`)).toEqual([
      404,
      'services "nope" not found',
    ]);
    expect(await status(`${PROXY}/churn-model:grpc/proxy/`)).toEqual([
      503,
      'no service port "grpc" found for service "churn-model"',
    ]);
    expect(
      await status('/api/v1/namespaces/other/services/churn-model:http/proxy/'),
    ).toEqual([404, 'services "churn-model" not found']);
    expect(received).toHaveLength(0);

    await double.stop();
    double = await createKubernetesTestDouble({ manifests: MANIFESTS });
    const [code, message] = await status(`${PROXY}/churn-model:http/proxy/`);
    expect(code).toBe(503);
    expect(message).toMatch(/no endpoints available for service "churn-model"/);
  });

  it('refuses the proxy of a forbidden Service with 403, as RBAC would, before forwarding', async () => {
    double = await createKubernetesTestDouble({
      manifests: MANIFESTS,
      serviceTargets: { 'ml-services/churn-model': modelUrl },
      forbiddenServiceProxies: ['ml-services/churn-model'],
    });
    const call = async (method: string) => {
      const response = await fetch(
        `${double!.url}${PROXY}/churn-model:http/proxy/v2/health/ready`,
        { method },
      );
      return [response.status, await response.json()];
    };
    const [status, body] = await call('GET');
    expect(status).toBe(403);
    expect(body).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'Forbidden',
      code: 403,
    });
    expect(body.message).toMatch(
      /^services "churn-model:http" is forbidden: User ".+" cannot get resource "services\/proxy" in API group "" in the namespace "ml-services"$/,
    );
    const [postStatus, postBody] = await call('POST');
    expect(postStatus).toBe(403);
    expect(postBody.message).toMatch(
      /cannot create resource "services\/proxy"/,
    );
    expect(received).toHaveLength(0);
  });
});
