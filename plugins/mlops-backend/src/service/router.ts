import {
  AuditorService,
  HttpAuthService,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  getInferenceEndpoints,
  InferenceEndpoint,
  MLOPS_ANNOTATIONS,
  mlopsEntityPredictPermission,
} from '@eks-mlops/backstage-plugin-mlops-common';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import express from 'express';
import Router from 'express-promise-router';
import { createOpenApiRouter } from '../schema/openapi.generated';
import { MlServiceCatalog } from './catalog/MlServiceCatalog';
import { EntityHealthService } from './fleet/EntityHealthService';
import { FleetService } from './fleet/FleetService';
import { PayloadTooLargeError } from './predict/errors';
import { PredictProxy } from './predict/PredictProxy';

export interface RouterOptions {
  logger: LoggerService;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
  catalog: MlServiceCatalog;
  fleet: FleetService;
  entityHealth: EntityHealthService;
  predict: PredictProxy;
  maxPredictRequestBytes: number;
}

// Room for the `{ "environment": …, "body": … }` envelope around the body.
const ENVELOPE_BYTES = 4096;

function entityRefOf(params: {
  kind: string;
  namespace: string;
  name: string;
}): string {
  return stringifyEntityRef(params);
}

function choosePredictEndpoint(
  entityRef: string,
  endpoints: InferenceEndpoint[],
  environment: string | undefined,
): InferenceEndpoint {
  if (endpoints.length === 0) {
    throw new InputError(
      `${entityRef} declares no inference endpoint; annotate it with ${MLOPS_ANNOTATIONS.inferenceUrl}`,
    );
  }
  if (environment === undefined) return endpoints[0];
  const endpoint = endpoints.find(e => e.environment === environment);
  if (!endpoint) {
    const declared = endpoints.map(e => e.environment).join(', ');
    throw new InputError(
      `environment "${environment}" is not declared by ${entityRef}; use one of: ${declared}`,
    );
  }
  return endpoint;
}

function bodyLimitErrors(maxBytes: number): express.ErrorRequestHandler {
  return (error, _req, _res, next) => {
    if (error?.type === 'entity.too.large') {
      next(
        new PayloadTooLargeError(
          `request body is larger than ${maxBytes} bytes (mlops.predict.maxRequestBytes)`,
        ),
      );
      return;
    }
    next(error);
  };
}

/** The `/api/mlops` routes; see src/schema/openapi.yaml. */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { httpAuth, permissions, auditor, catalog } = options;
  const outer = Router();
  outer.use(
    express.json({ limit: options.maxPredictRequestBytes + ENVELOPE_BYTES }),
  );
  outer.use(bodyLimitErrors(options.maxPredictRequestBytes));
  outer.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  // Bodies are parsed above with the predict limit, so the OpenAPI router's
  // own JSON parser finds them parsed and its error mapping never sees a 413.
  const router = await createOpenApiRouter();

  router.get('/v1/fleet', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    // Sent pre-serialized: the fleet is rendered once per snapshot and caller.
    const json = await options.fleet.fleetJson(credentials);
    res.type('application/json').end(json);
  });

  router.get('/v1/entities/:kind/:namespace/:name/health', async (req, res) => {
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    const entityRef = entityRefOf(req.params);
    res.json(await options.entityHealth.health(entityRef, credentials));
  });

  router.post(
    '/v1/entities/:kind/:namespace/:name/predict',
    async (req, res) => {
      const credentials = await httpAuth.credentials(req, {
        allow: ['user', 'service'],
      });
      const entityRef = entityRefOf(req.params);
      const { environment, body } = req.body;
      const event = await auditor.createEvent({
        eventId: 'entity-predict',
        severityLevel: 'medium',
        request: req,
        meta: { entityRef, environment: environment ?? null },
      });
      try {
        const found = await catalog.get(entityRef, credentials);
        if (!found) {
          throw new NotFoundError(`no entity ${entityRef} in the catalog`);
        }
        const [decision] = await permissions.authorize(
          [
            {
              permission: mlopsEntityPredictPermission,
              resourceRef: entityRef,
            },
          ],
          { credentials },
        );
        if (decision.result !== AuthorizeResult.ALLOW) {
          throw new NotAllowedError(
            `not allowed to call the model of ${entityRef} (permission ${mlopsEntityPredictPermission.name})`,
          );
        }
        const endpoint = choosePredictEndpoint(
          entityRef,
          getInferenceEndpoints(found.entity),
          environment,
        );
        const answer = await options.predict.forward(endpoint, body);
        await event.success({
          meta: {
            environment: endpoint.environment,
            url: endpoint.url,
            status: answer.status,
            latencyMs: answer.latencyMs,
          },
        });
        res.json(answer);
      } catch (error) {
        await event.fail({ error: error as Error });
        throw error;
      }
    },
  );

  outer.use(router);
  return outer;
}
