import { KubernetesServiceTarget } from './kubernetes';

/**
 * Inference protocol spoken by a model endpoint.
 *
 * @public
 */
export type InferenceProtocol = 'v1' | 'v2';

/**
 * Overall state of one endpoint, as judged by the prober.
 *
 * @public
 */
export type EndpointHealthState = 'healthy' | 'degraded' | 'down' | 'unknown';

/**
 * Why a probe failed, when it did. `kubernetes-proxy`: the Kubernetes API
 * server or the Kubernetes plugin answered a call through the service proxy
 * itself (refused, Service not found, no ready endpoint), so the model was
 * not reached. `not-deployed`: the endpoint has never answered and the
 * service's deploy records show no deploy of its environment yet (no image in
 * `mlops/ecr-repository` with its deploy tag, or no Terraform state under
 * `mlops/tfstate`); the state is then `unknown`.
 *
 * @public
 */
export type ProbeErrorClass =
  | 'timeout'
  | 'dns'
  | 'tls'
  | 'refused'
  | 'reset'
  | 'bad-status'
  | 'malformed-body'
  | 'too-large'
  | 'blocked'
  | 'invalid-target'
  | 'kubernetes-proxy'
  | 'not-deployed';

/**
 * A tensor description in Open Inference Protocol model metadata.
 *
 * @public
 */
export interface TensorMetadata {
  name: string;
  datatype: string;
  shape: number[];
}

/**
 * Model metadata as served by `GET /v2/models/{model}`.
 *
 * @public
 */
export interface ModelMetadata {
  name: string;
  versions?: string[];
  platform?: string;
  inputs?: TensorMetadata[];
  outputs?: TensorMetadata[];
}

/**
 * One endpoint an ML service exposes: the primary one or one per environment.
 *
 * @public
 */
export interface InferenceEndpoint {
  /**
   * The environment: for `mlops/inference-url` the value of
   * `mlops/inference-environment` (else `default`), otherwise the suffix of
   * `mlops/inference-url-<env>` (or `mlops/kubernetes-service-<env>`).
   */
  environment: string;
  /**
   * The base URL; for an endpoint reached through the Kubernetes service
   * proxy, `k8s:[<cluster>/]<namespace>/<service>:<port>` (an identity, not
   * fetchable; `describeEndpointLocation` shows it).
   */
  url: string;
  protocol: InferenceProtocol;
  modelName: string;
  /** Set when the endpoint is reached through the Kubernetes API server's service proxy. */
  kubernetes?: KubernetesServiceTarget;
  /**
   * Why the endpoint cannot be called as declared (an invalid Kubernetes
   * target annotation). It is listed, so people see the problem, but never
   * called: probes report `invalid-target` and predict refuses it.
   */
  invalid?: string;
}

/**
 * The result of probing one endpoint.
 *
 * @public
 */
export interface EndpointHealth {
  environment: string;
  url: string;
  state: EndpointHealthState;
  live?: boolean;
  ready?: boolean;
  modelReady?: boolean;
  model?: ModelMetadata;
  latencyMs?: number;
  httpStatus?: number;
  errorClass?: ProbeErrorClass;
  errorMessage?: string;
  /** ISO 8601 time of the probe. */
  checkedAt: string;
}

/**
 * Health of one endpoint with its 24-hour summary.
 *
 * @public
 */
export interface EndpointHealthSummary extends EndpointHealth {
  /** Share of healthy probes over the last 24 hours, 0–1; absent without history. */
  uptime24h?: number;
  p50LatencyMs?: number;
  p95LatencyMs?: number;
}

/**
 * One point of a latency/uptime sparkline: a single probe, or a time bucket of
 * several probes once the range holds more probes than the point budget.
 *
 * @public
 */
export interface HealthHistoryPoint {
  /** ISO 8601 time: the probe's time, or the start of the bucket. */
  checkedAt: string;
  /** Number of probes this point stands for. */
  samples: number;
  /** Share of healthy probes in the point, 0–1. */
  uptime: number;
  /** Worst state among the probes, in the order down, degraded, unknown, healthy. */
  state: EndpointHealthState;
  /** Mean latency of the probes that measured one, rounded to 1 ms. */
  latencyMs?: number;
}

/**
 * Health of one endpoint on the entity route: the summary plus its history.
 *
 * @public
 */
export interface EndpointHealthDetail extends EndpointHealthSummary {
  /** The last 24 hours, oldest first, at most 96 points. */
  history: HealthHistoryPoint[];
}

/**
 * Response of `GET /api/mlops/v1/entities/:kind/:namespace/:name/health`.
 * One entry per declared endpoint, in the order of `getInferenceEndpoints`.
 *
 * @public
 */
export interface EntityHealthResponse {
  entityRef: string;
  endpoints: EndpointHealthDetail[];
}

/**
 * One row of `GET /api/mlops/v1/fleet`.
 *
 * @public
 */
export interface FleetEntry {
  entityRef: string;
  title?: string;
  owner?: string;
  endpoints: EndpointHealthSummary[];
}

/**
 * Response of `GET /api/mlops/v1/fleet`.
 *
 * @public
 */
export interface FleetResponse {
  items: FleetEntry[];
  /** ISO 8601 time of the newest probe cycle the health figures come from. */
  generatedAt?: string;
}

/**
 * Body of `POST /api/mlops/v1/entities/:kind/:namespace/:name/predict`.
 *
 * @public
 */
export interface PredictRequest {
  environment?: string;
  /** A V2 infer body or a V1 predict body, as the endpoint's protocol expects. */
  body: unknown;
}

/**
 * Response of the predict proxy.
 *
 * @public
 */
export interface PredictResponse {
  status: number;
  latencyMs: number;
  body: unknown;
}
