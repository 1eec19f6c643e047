import {
  AuditorService,
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  getInferenceEndpoints,
  InferenceEndpoint,
  MLOPS_ANNOTATIONS,
  mlopsEntityPredictPermission,
  PredictResponse,
} from '@eks-mlops/backstage-plugin-mlops-common';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { Request } from 'express';
import { MlServiceCatalog } from '../catalog/MlServiceCatalog';
import { OutboundClient, OutboundError } from '../outbound';
import { endpointUrl, inferencePath } from '../protocol/inferencePaths';
import {
  directEndpointRouter,
  EndpointRouter,
} from '../routing/EndpointRouter';
import { BadGatewayError, GatewayTimeoutError } from './errors';

export interface PredictServiceOptions {
  catalog: MlServiceCatalog;
  permissions: PermissionsService;
  auditor: AuditorService;
  /** The guarded client, with the predict time and response size limits. */
  client: OutboundClient;
  /** How endpoints are reached (URL or Kubernetes service proxy); by default their URL. */
  router?: EndpointRouter;
}

/** One inference call through the proxy. */
export interface PredictCall {
  entityRef: string;
  /** The declared environment to call; the entity's first endpoint when absent. */
  environment?: string;
  body: unknown;
  credentials: BackstageCredentials;
  /** The HTTP request, for the audit record. */
  request: Request;
}

function chooseEndpoint(
  entityRef: string,
  endpoints: InferenceEndpoint[],
  environment: string | undefined,
): InferenceEndpoint {
  if (endpoints.length === 0) {
    throw new InputError(
      `${entityRef} declares no inference endpoint; annotate it with ${MLOPS_ANNOTATIONS.inferenceUrl}`,
    );
  }
  const endpoint =
    environment === undefined
      ? endpoints[0]
      : endpoints.find(e => e.environment === environment);
  if (!endpoint) {
    const declared = endpoints.map(e => e.environment).join(', ');
    throw new InputError(
      `environment "${environment}" is not declared by ${entityRef}; use one of: ${declared}`,
    );
  }
  if (endpoint.invalid) {
    throw new InputError(
      `the ${endpoint.environment} endpoint of ${entityRef} cannot be called: ${endpoint.invalid}`,
    );
  }
  return endpoint;
}

function parseAnswer(status: number, body: Buffer): unknown {
  if (body.length === 0) return null;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new BadGatewayError(
      `the model answered HTTP ${status} with a body that is not JSON`,
    );
  }
}

function toGatewayError(error: OutboundError): Error {
  const message = `the model endpoint did not answer: ${error.message}`;
  if (error.errorClass === 'invalid-target') {
    return new InputError(
      `the model endpoint cannot be called: ${error.message}`,
    );
  }
  if (error.errorClass === 'timeout') return new GatewayTimeoutError(message);
  if (error.errorClass === 'blocked') {
    return new BadGatewayError(
      `the model endpoint is refused by the outbound guard (${error.message}); ` +
        'an administrator can allow it with mlops.outbound.allowedHosts or mlops.outbound.allowPrivateNetworks',
    );
  }
  return new BadGatewayError(message);
}

/**
 * Proxied inference: finds the entity with the caller's credentials, checks
 * `mlops.entity.predict` on it, picks the endpoint, forwards the body through
 * the guarded client and returns the model's answer with its status (an
 * answer the Kubernetes service proxy gave in the model's place is a 502,
 * with what it said). Every
 * call is audited (`entity-predict`), allowed or not. The request size limit
 * is enforced where the body is read (the router), once.
 */
export class PredictService {
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly options: PredictServiceOptions) {}

  predict(call: PredictCall): Promise<PredictResponse> {
    const prediction = this.auditedPredict(call);
    const settled: Promise<void> = prediction.then(
      () => {
        this.inFlight.delete(settled);
      },
      () => {
        this.inFlight.delete(settled);
      },
    );
    this.inFlight.add(settled);
    return prediction;
  }

  /**
   * Resolves once the predictions in flight have their answers, so the
   * shutdown can close the clients they use after it. (Backstage refuses the
   * plugin's requests from the start of its shutdown, with 503.)
   */
  async drain(): Promise<void> {
    await Promise.all(this.inFlight);
  }

  private async auditedPredict(call: PredictCall): Promise<PredictResponse> {
    const { entityRef, environment } = call;
    const event = await this.options.auditor.createEvent({
      eventId: 'entity-predict',
      severityLevel: 'medium',
      request: call.request,
      meta: { entityRef, environment: environment ?? null },
    });
    try {
      const endpoint = await this.authorizedEndpoint(call);
      const answer = await this.forward(endpoint, call.body);
      await event.success({
        meta: {
          environment: endpoint.environment,
          url: endpoint.url,
          status: answer.status,
          latencyMs: answer.latencyMs,
        },
      });
      return answer;
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
  }

  private async authorizedEndpoint(
    call: PredictCall,
  ): Promise<InferenceEndpoint> {
    const { entityRef, credentials } = call;
    const found = await this.options.catalog.get(entityRef, credentials);
    if (!found) {
      throw new NotFoundError(`no entity ${entityRef} in the catalog`);
    }
    const [decision] = await this.options.permissions.authorize(
      [{ permission: mlopsEntityPredictPermission, resourceRef: entityRef }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        `not allowed to call the model of ${entityRef} (permission ${mlopsEntityPredictPermission.name})`,
      );
    }
    return chooseEndpoint(
      entityRef,
      getInferenceEndpoints(found.entity),
      call.environment,
    );
  }

  private async forward(
    endpoint: InferenceEndpoint,
    body: unknown,
  ): Promise<PredictResponse> {
    const path = inferencePath(endpoint.protocol, endpoint.modelName);
    const router = this.options.router ?? directEndpointRouter;
    try {
      const route = await router.route(endpoint);
      const response = await this.options.client.request({
        url: endpointUrl(route, path),
        method: 'POST',
        headers: {
          ...route.headers,
          'content-type': 'application/json',
          accept: 'application/json',
        },
        body: JSON.stringify(body),
        trustedOrigin: route.trustedOrigin,
        bearerToken: route.bearerToken,
      });
      const proxyFailure = route.proxyFailure?.(response);
      if (proxyFailure) {
        throw new BadGatewayError(
          `the model was not reached: ${proxyFailure.message}`,
        );
      }
      return {
        status: response.status,
        latencyMs: response.latencyMs,
        body: parseAnswer(response.status, response.body),
      };
    } catch (error) {
      if (error instanceof OutboundError) throw toGatewayError(error);
      throw error;
    }
  }
}
