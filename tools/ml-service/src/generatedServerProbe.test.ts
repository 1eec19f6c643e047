import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import mlopsPlugin from '@eks-mlops/backstage-plugin-mlops-backend';
import {
  EntityHealthResponse,
  MLOPS_ANNOTATIONS,
} from '@eks-mlops/backstage-plugin-mlops-common';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { DryRunRenderer } from './DryRunRenderer';
import {
  GeneratedServer,
  runMake,
  startGeneratedServer,
} from './generatedServer';
import { DEFAULT_TEMPLATE_DIR, renderWith, writeFiles } from './render';
import { readTemplateDirectory } from './templateDirectory';
import { readValuesFile } from './values';

jest.setTimeout(20 * 60_000);

// The backend's database, destroyed after the tests: Backstage's shutdown
// leaves SQLite pools open, and their timer would keep the test worker alive.
const databases = TestDatabases.create({
  ids: ['SQLITE_3'],
  disableDocker: true,
});

/** Set MLOPS_VERIFY_SKIP_SLOW=1 locally to skip (it installs a Python virtualenv); CI runs it. */
const describeSlow =
  process.env.MLOPS_VERIFY_SKIP_SLOW === '1' ? describe.skip : describe;

const VALUES = path.resolve(
  __dirname,
  '../../../examples/values/classification-new-eu.yaml',
);

function service(name: string, url: string, annotations: object): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      annotations: { [MLOPS_ANNOTATIONS.inferenceUrl]: url, ...annotations },
    },
    spec: { type: 'service', lifecycle: 'production', owner: 'ml-team' },
  };
}

async function renderInstallAndTrain(): Promise<string> {
  const renderer = await DryRunRenderer.start();
  const repoDir = await fs.mkdtemp(path.join(os.tmpdir(), 'mlops-probe-'));
  try {
    const result = await renderWith(
      renderer,
      await readTemplateDirectory(DEFAULT_TEMPLATE_DIR),
      await readValuesFile(VALUES),
    );
    await writeFiles(repoDir, result);
  } finally {
    await renderer.stop();
  }
  await runMake(repoDir, 'install', 900_000);
  await runMake(repoDir, 'train');
  return repoDir;
}

/** The published `mlops` backend plugin, reached only through its HTTP routes. */
async function startMlopsBackend(entities: Entity[]): Promise<TestBackend> {
  return startTestBackend({
    features: [
      mockServices.database.factory({
        knex: await databases.init('SQLITE_3'),
      }),
      mlopsPlugin,
      catalogServiceMock.factory({ entities }),
      mockServices.permissions.factory({ result: AuthorizeResult.ALLOW }),
      mockServices.rootConfig.factory({
        data: {
          mlops: {
            prober: { interval: '1h', jitter: '0s' },
            outbound: { allowPrivateNetworks: true },
          },
        },
      }),
    ],
  });
}

describeSlow(
  'the mlops backend probes and proxies the service the template generates',
  () => {
    let repoDir: string | undefined;
    let server: GeneratedServer | undefined;
    let backend: TestBackend | undefined;

    beforeAll(async () => {
      repoDir = await renderInstallAndTrain();
      server = await startGeneratedServer(repoDir);
      const model = { [MLOPS_ANNOTATIONS.modelName]: server.modelName };
      backend = await startMlopsBackend([
        service('oip-v2', server.url, model),
        service('kserve-v1', server.url, {
          ...model,
          [MLOPS_ANNOTATIONS.inferenceProtocol]: 'v1',
        }),
      ]);
    });

    afterAll(async () => {
      await backend?.stop();
      await server?.stop();
      if (repoDir) await fs.rm(repoDir, { recursive: true, force: true });
    });

    const health = (name: string) =>
      request(backend!.server)
        .get(`/api/mlops/v1/entities/component/default/${name}/health`)
        .set('authorization', mockCredentials.user.header());
    const predict = (name: string, body: unknown) =>
      request(backend!.server)
        .post(`/api/mlops/v1/entities/component/default/${name}/predict`)
        .set('authorization', mockCredentials.user.header())
        .send({ body });

    it('reports the V2 endpoint healthy with the model metadata it serves', async () => {
      const res = await health('oip-v2');
      expect(res.status).toBe(200);
      const [endpoint] = (res.body as EntityHealthResponse).endpoints;
      expect(endpoint).toMatchObject({
        state: 'healthy',
        live: true,
        ready: true,
        modelReady: true,
        httpStatus: 200,
        model: { name: server!.modelName },
      });
      expect(endpoint.model?.inputs?.[0].shape).toEqual([-1, 30]);
      expect(endpoint.history).toHaveLength(1);
    });

    it('reports the KServe V1 endpoint healthy', async () => {
      const res = await health('kserve-v1');
      expect(res.status).toBe(200);
      expect(res.body.endpoints[0]).toMatchObject({
        state: 'healthy',
        modelReady: true,
        model: { name: server!.modelName },
      });
    });

    it('proxies a V2 infer request and a V1 predict request to the model', async () => {
      const row = Array.from({ length: 30 }, (_, i) => (i % 7) / 7);
      const v2 = await predict('oip-v2', {
        inputs: [
          {
            name: 'input-0',
            shape: [2, 30],
            datatype: 'FP64',
            data: [...row, ...row],
          },
        ],
      });
      expect(v2.status).toBe(200);
      expect(v2.body.status).toBe(200);
      expect(v2.body.body.outputs[0].data).toHaveLength(2);

      const v1 = await predict('kserve-v1', { instances: [row] });
      expect(v1.status).toBe(200);
      expect(v1.body.body.predictions).toHaveLength(1);
      expect(v1.body.latencyMs).toBeGreaterThanOrEqual(0);
    });

    it("passes the model's own validation error through with its status", async () => {
      const res = await predict('oip-v2', {
        inputs: [
          { name: 'input-0', shape: [1, 3], datatype: 'FP64', data: [1, 2, 3] },
        ],
      });
      expect(res.status).toBe(200);
      expect(res.body.status).toBeGreaterThanOrEqual(400);
      expect(res.body.status).toBeLessThan(500);
    });
  },
);
