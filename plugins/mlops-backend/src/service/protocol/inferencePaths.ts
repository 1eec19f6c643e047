import {
  InferenceEndpoint,
  InferenceProtocol,
} from '@eks-mlops/backstage-plugin-mlops-common';

/** The Open Inference Protocol (V2) paths of one model. */
export function v2Paths(modelName: string) {
  const model = `/v2/models/${encodeURIComponent(modelName)}`;
  return {
    live: '/v2/health/live',
    ready: '/v2/health/ready',
    model,
    modelReady: `${model}/ready`,
    infer: `${model}/infer`,
  };
}

/** The KServe V1 paths of one model. */
export function v1Paths(modelName: string) {
  const model = `/v1/models/${encodeURIComponent(modelName)}`;
  return { model, predict: `${model}:predict` };
}

/** The path an inference request goes to, by protocol. */
export function inferencePath(
  protocol: InferenceProtocol,
  modelName: string,
): string {
  return protocol === 'v1'
    ? v1Paths(modelName).predict
    : v2Paths(modelName).infer;
}

/** `path` below the endpoint's base URL (which may carry a path of its own). */
export function endpointUrl(
  endpoint: Pick<InferenceEndpoint, 'url'>,
  path: string,
): string {
  return `${endpoint.url.replace(/\/+$/, '')}${path}`;
}
