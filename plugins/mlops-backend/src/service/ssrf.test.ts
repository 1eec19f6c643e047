import { mockCredentials } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { EntityHealthResponse } from '@eks-mlops/backstage-plugin-mlops-common';
import request from 'supertest';
import {
  FixtureServer,
  startFixture,
  v2Handler,
} from './__testUtils__/httpFixtures';
import { mlServiceEntity } from './__testUtils__/entities';
import {
  MlopsTestBackend,
  startMlopsTestBackend,
} from './__testUtils__/mlopsTestBackend';

jest.setTimeout(60_000);

/**
 * With the production defaults (no private networks) and an allowlist, no
 * probe and no predict call may reach any of these targets.
 */
function refusedTargets(loopbackPort: number): Record<string, string> {
  return {
    loopback: `http://127.0.0.1:${loopbackPort}`,
    'loopback-name': `http://localhost:${loopbackPort}`,
    'loopback-v6': `http://[::1]:${loopbackPort}`,
    'mapped-loopback': `http://[::ffff:127.0.0.1]:${loopbackPort}`,
    'aws-metadata': 'http://169.254.169.254',
    'aws-metadata-v6': 'http://[fd00:ec2::254]',
    'ecs-metadata': 'http://169.254.170.2',
    'private-10': 'http://10.0.0.1',
    'private-172': 'http://172.16.0.1',
    'private-192': 'http://192.168.1.1',
    'carrier-nat': 'http://100.64.0.1',
    unspecified: 'http://0.0.0.0',
    'not-allowlisted': 'http://models.attacker.example',
  };
}

describe('SSRF guard on probes and predict calls', () => {
  let loopback: FixtureServer;
  let harness: MlopsTestBackend;
  let targets: Record<string, string>;

  beforeAll(async () => {
    loopback = await startFixture(v2Handler({ modelName: 'iris' }));
    targets = refusedTargets(loopback.port);
    const entities: Entity[] = Object.entries(targets).map(([name, url]) =>
      mlServiceEntity(name, url, { modelName: 'iris' }),
    );
    harness = await startMlopsTestBackend({
      entities,
      config: {
        prober: { interval: '1h', jitter: '0s', timeout: '1s' },
        outbound: {
          allowPrivateNetworks: false,
          allowedHosts: [
            '127.0.0.1',
            'localhost',
            '::1',
            '::ffff:127.0.0.1',
            '169.254.169.254',
            'fd00:ec2::254',
            '169.254.170.2',
            '10.0.0.1',
            '172.16.0.1',
            '192.168.1.1',
            '100.64.0.1',
            '0.0.0.0',
            '*.models.example.com',
          ],
        },
      },
    });
  });

  afterAll(async () => {
    await harness?.close();
    await loopback?.close();
  });

  it('covers at least ten distinct targets', () => {
    expect(Object.keys(targets).length).toBeGreaterThanOrEqual(10);
  });

  it('reports every target as blocked without connecting, and refuses predict with 502', async () => {
    for (const name of Object.keys(targets)) {
      const health = await request(harness.backend.server)
        .get(`/api/mlops/v1/entities/component/default/${name}/health`)
        .set('authorization', mockCredentials.user.header());
      expect(health.status).toBe(200);
      const [endpoint] = (health.body as EntityHealthResponse).endpoints;
      expect({
        name,
        state: endpoint.state,
        errorClass: endpoint.errorClass,
      }).toEqual({ name, state: 'unknown', errorClass: 'blocked' });

      const predict = await request(harness.backend.server)
        .post(`/api/mlops/v1/entities/component/default/${name}/predict`)
        .set('authorization', mockCredentials.user.header())
        .send({ body: { inputs: [] } });
      expect({ name, status: predict.status }).toEqual({ name, status: 502 });
      expect(predict.body.error.message).toContain('outbound guard');
    }
    expect(loopback.received).toEqual([]);
  });
});

describe('inference URLs that would carry the protocol path away', () => {
  let sink: FixtureServer;
  let harness: MlopsTestBackend;

  beforeAll(async () => {
    sink = await startFixture(v2Handler({ modelName: 'iris' }));
    const base = `http://127.0.0.1:${sink.port}/internal/admin/export`;
    harness = await startMlopsTestBackend({
      entities: [
        mlServiceEntity('query', `${base}?ignored=`, { modelName: 'iris' }),
        mlServiceEntity('fragment', `${base}#`, { modelName: 'iris' }),
      ],
      config: {
        prober: { interval: '1h', jitter: '0s', timeout: '1s' },
        // Even where private networks are allowed, as in the demo.
        outbound: { allowPrivateNetworks: true },
      },
    });
  });

  afterAll(async () => {
    await harness?.close();
    await sink?.close();
  });

  it('are never called: the probe reports an invalid target and predict is refused', async () => {
    for (const name of ['query', 'fragment']) {
      const health = await request(harness.backend.server)
        .get(`/api/mlops/v1/entities/component/default/${name}/health`)
        .set('authorization', mockCredentials.user.header());
      const [endpoint] = (health.body as EntityHealthResponse).endpoints;
      expect({
        name,
        state: endpoint.state,
        errorClass: endpoint.errorClass,
      }).toEqual({
        name,
        state: 'unknown',
        errorClass: 'invalid-target',
      });

      const predict = await request(harness.backend.server)
        .post(`/api/mlops/v1/entities/component/default/${name}/predict`)
        .set('authorization', mockCredentials.user.header())
        .send({ body: { inputs: [] } });
      expect(predict.status).toBeGreaterThanOrEqual(400);
      expect(predict.body.error.message).toMatch(/has a (query|fragment)/);
    }
    expect(sink.received).toEqual([]);
  });
});
