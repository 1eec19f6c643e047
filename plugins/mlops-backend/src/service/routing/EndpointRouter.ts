import { InferenceEndpoint } from '@eks-mlops/backstage-plugin-mlops-common';
import { KubernetesServiceProxy } from '../kubernetes/KubernetesServiceProxy';
import type { ProxyFailure } from '../kubernetes/proxyFailure';
import { OutboundError, OutboundRequest, OutboundResponse } from '../outbound';

/**
 * How to call one endpoint: the base URL its protocol paths go below, and
 * what the guarded client needs besides (see `OutboundRequest`). For a URL
 * endpoint only `url`; for a Kubernetes target the service proxy URL of the
 * Kubernetes plugin with its cluster header, token and trusted origin, and
 * how to tell the proxy's own answers from the model's.
 */
export interface EndpointRoute
  extends Pick<OutboundRequest, 'trustedOrigin' | 'bearerToken'> {
  url: string;
  headers?: Record<string, string>;
  /** The failure an answer stands for when the route gave it, not the model. */
  proxyFailure?: (response: OutboundResponse) => ProxyFailure | undefined;
}

/** Resolves endpoints to routes; throws `OutboundError` when one cannot be called. */
export interface EndpointRouter {
  route(endpoint: InferenceEndpoint): Promise<EndpointRoute>;
}

/**
 * The one place that decides how an endpoint is reached: its URL, or the
 * Kubernetes API server's service proxy for a Kubernetes target. An endpoint
 * with an invalid target, or a Kubernetes target without the proxy, fails
 * with `invalid-target` and is never called.
 */
export function createEndpointRouter(options: {
  kubernetes?: KubernetesServiceProxy;
}): EndpointRouter {
  return {
    async route(endpoint) {
      if (endpoint.invalid) {
        throw new OutboundError('invalid-target', endpoint.invalid);
      }
      if (!endpoint.kubernetes) return { url: endpoint.url };
      if (!options.kubernetes) {
        throw new OutboundError(
          'invalid-target',
          'Kubernetes targets are not enabled in this backend',
        );
      }
      return options.kubernetes.route(endpoint.kubernetes);
    },
  };
}

/** Routes every endpoint to its URL (tests and callers without Kubernetes). */
export const directEndpointRouter: EndpointRouter = createEndpointRouter({});
