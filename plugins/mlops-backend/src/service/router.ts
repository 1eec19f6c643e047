import { HttpAuthService } from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import express from 'express';
import Router from 'express-promise-router';
import { createOpenApiRouter } from '../schema/openapi.generated';
import { FleetService } from './fleet/FleetService';
import { EndpointHealthService } from './health/EndpointHealthService';
import { PayloadTooLargeError } from './predict/errors';
import { PredictService } from './predict/PredictService';

export interface RouterOptions {
  httpAuth: HttpAuthService;
  fleet: FleetService;
  health: EndpointHealthService;
  predict: PredictService;
  /** `mlops.predict.maxRequestBytes`: the largest predict request body read. */
  maxPredictRequestBytes: number;
}

/** Turns the body parser's refusal of a body over the predict limit into a 413. */
function bodyTooLarge(maxBytes: number): express.ErrorRequestHandler {
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

/** The `/api/mlops` routes; see src/schema/openapi.yaml. Handlers only translate HTTP. */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { httpAuth } = options;
  const callerOf = (req: express.Request) =>
    httpAuth.credentials(req, { allow: ['user', 'service'] });
  const outer = Router();
  // Bodies are parsed here, with the predict limit, so the OpenAPI router's
  // own JSON parser finds them parsed and its error mapping never sees a 413.
  outer.use(express.json({ limit: options.maxPredictRequestBytes }));
  outer.use(bodyTooLarge(options.maxPredictRequestBytes));
  outer.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  const router = await createOpenApiRouter();

  router.get('/v1/fleet', async (req, res) => {
    // Sent pre-serialized: the fleet is rendered once per snapshot and caller.
    const json = await options.fleet.fleetJson(await callerOf(req));
    res.type('application/json').end(json);
  });

  router.get('/v1/entities/:kind/:namespace/:name/health', async (req, res) => {
    const entityRef = stringifyEntityRef(req.params);
    res.json(await options.health.entityHealth(entityRef, await callerOf(req)));
  });

  router.post(
    '/v1/entities/:kind/:namespace/:name/predict',
    async (req, res) => {
      const answer = await options.predict.predict({
        entityRef: stringifyEntityRef(req.params),
        environment: req.body.environment,
        body: req.body.body,
        credentials: await callerOf(req),
        request: req,
      });
      res.json(answer);
    },
  );

  outer.use(router);
  return outer;
}
