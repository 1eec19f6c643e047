import {
  AuditorService,
  BackstageCredentials,
  coreServices,
  createBackendModule,
  createServiceFactory,
  DatabaseService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestBackend,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { JsonObject } from '@backstage/types';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  AuthorizeResult,
  isResourcePermission,
} from '@backstage/plugin-permission-common';
import request from 'supertest';
import { mlopsPlugin } from '../../plugin';

/** One audit event as the plugin reported it. */
export interface RecordedAuditEvent {
  eventId: string;
  meta?: JsonObject;
  outcome?: 'success' | 'fail';
  outcomeMeta?: JsonObject;
  error?: string;
}

export interface MlopsTestBackend {
  backend: TestBackend;
  scheduler: SchedulerService;
  auditEvents: RecordedAuditEvent[];
  /** Runs one probe cycle now and waits until it has been stored. */
  runProbeCycle(): Promise<void>;
  close(): Promise<void>;
}

/** A V2 inference body with one 1×2 input; the fixture models answer its sum. */
export const V2_PREDICTION_BODY = {
  inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 2], data: [1, 2] }],
};

/** POSTs `V2_PREDICTION_BODY` to the model of Component `name`, as a signed-in user. */
export function postPrediction(harness: MlopsTestBackend, name: string) {
  return request(harness.backend.server)
    .post(`/api/mlops/v1/entities/component/default/${name}/predict`)
    .set('authorization', mockCredentials.user.header())
    .send({ body: V2_PREDICTION_BODY });
}

/** Users allowed `mlops.entity.predict`, on every entity or on one. */
export type PredictPolicy = (
  credentials: BackstageCredentials,
  entityRef: string,
) => boolean;

function recordingAuditor(events: RecordedAuditEvent[]): AuditorService {
  return {
    async createEvent(options) {
      const event: RecordedAuditEvent = {
        eventId: options.eventId,
        meta: options.meta,
      };
      events.push(event);
      return {
        async success(result) {
          event.outcome = 'success';
          event.outcomeMeta = result?.meta;
        },
        async fail(result) {
          event.outcome = 'fail';
          event.outcomeMeta = result.meta;
          event.error = result.error.message;
        },
      };
    },
  };
}

/**
 * The `mlops` plugin in a real test backend (SQLite, real scheduler, real
 * router and auth policy) with an in-memory catalog holding `entities`.
 */
export async function startMlopsTestBackend(options: {
  entities: Entity[];
  config?: JsonObject;
  canPredict?: PredictPolicy;
  /** What discovery answers for the `kubernetes` plugin (a Kubernetes backend in another process). */
  kubernetesBaseUrl?: string;
}): Promise<MlopsTestBackend> {
  const auditEvents: RecordedAuditEvent[] = [];
  let scheduler: SchedulerService | undefined;
  let database: DatabaseService | undefined;
  const captureServices = createBackendModule({
    pluginId: 'mlops',
    moduleId: 'test-services',
    register(env) {
      env.registerInit({
        deps: { s: coreServices.scheduler, db: coreServices.database },
        async init({ s, db }) {
          scheduler = s;
          database = db;
        },
      });
    },
  });
  const canPredict = options.canPredict ?? (() => true);
  const permissions = mockServices.permissions.mock({
    async authorize(requests, { credentials }) {
      return requests.map(query => {
        const entityRef =
          'resourceRef' in query && isResourcePermission(query.permission)
            ? String(query.resourceRef)
            : '';
        return {
          result: canPredict(credentials, entityRef)
            ? AuthorizeResult.ALLOW
            : AuthorizeResult.DENY,
        };
      });
    },
  });

  const { kubernetesBaseUrl } = options;
  const discovery = createServiceFactory({
    service: coreServices.discovery,
    deps: {},
    factory: () => {
      const baseUrl = async (pluginId: string) =>
        pluginId === 'kubernetes' && kubernetesBaseUrl
          ? kubernetesBaseUrl
          : `http://localhost:0/api/${pluginId}`;
      return { getBaseUrl: baseUrl, getExternalBaseUrl: baseUrl };
    },
  });

  const backend = await startTestBackend({
    features: [
      mlopsPlugin,
      discovery,
      captureServices,
      catalogServiceMock.factory({ entities: options.entities }),
      permissions.factory,
      mockServices.auditor.mock({
        createEvent: recordingAuditor(auditEvents).createEvent,
      }).factory,
      mockServices.rootConfig.factory({
        data: {
          mlops: {
            prober: { interval: '1h', jitter: '0s' },
            outbound: { allowPrivateNetworks: true },
            ...options.config,
          },
        },
      }),
    ],
  });

  return {
    backend,
    scheduler: scheduler!,
    auditEvents,
    async runProbeCycle() {
      const generatedAt = async () => {
        const res = await request(backend.server)
          .get('/api/mlops/v1/fleet')
          .set('authorization', mockCredentials.user.header());
        return res.body.generatedAt as string;
      };
      const before = await generatedAt();
      await scheduler!.triggerTask('mlops-probe-cycle');
      // The task runs in the background; each finished cycle publishes a new snapshot.
      for (let i = 0; i < 400; i++) {
        if ((await generatedAt()) !== before) return;
        await new Promise(r => setTimeout(r, 50));
      }
      throw new Error('the probe cycle did not finish within 20 s');
    },
    async close() {
      await backend.stop();
      // Backstage's database manager leaves SQLite pools open on shutdown;
      // their reaper timer would keep the Jest worker alive after its tests.
      await (await database!.getClient()).destroy();
    },
  };
}
