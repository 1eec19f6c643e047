import { Entity } from '@backstage/catalog-model';
import {
  MLOPS_ANNOTATIONS,
  MLOPS_INFERENCE_URL_ENV_PREFIX,
  MLOPS_KUBERNETES_SERVICE_ENV_PREFIX,
  PRIMARY_ENVIRONMENT_FALLBACK,
  STANDARD_ANNOTATIONS,
} from './annotations';
import {
  DEFAULT_KUBERNETES_SERVICE_PORT,
  formatKubernetesServiceTarget,
  KUBERNETES_ENDPOINT_URL_PREFIX,
  kubernetesServiceTargetProblems,
  parseKubernetesServiceTarget,
} from './kubernetes';
import { InferenceEndpoint, InferenceProtocol } from './types';

/**
 * Whether an entity declares at least one inference endpoint.
 *
 * @public
 */
export function hasInferenceEndpoint(entity: Entity): boolean {
  return getInferenceEndpoints(entity).length > 0;
}

/**
 * The annotation sets that make an entity an ML service: one carrying every
 * key of at least one set may declare a primary endpoint (see
 * {@link getInferenceEndpoints}). The mlops backend asks the catalog for
 * exactly these (a catalog filter cannot match per-environment keys), so an
 * entity with only per-environment endpoints is not an ML service.
 *
 * @public
 */
export const ML_SERVICE_ANNOTATION_SETS: ReadonlyArray<readonly string[]> = [
  [MLOPS_ANNOTATIONS.inferenceUrl],
  [MLOPS_ANNOTATIONS.kubernetesService],
  [MLOPS_ANNOTATIONS.modelName, STANDARD_ANNOTATIONS.kubernetesId],
  [MLOPS_ANNOTATIONS.inferenceProtocol, STANDARD_ANNOTATIONS.kubernetesId],
];

/**
 * Whether an entity is an ML service: it carries one of the
 * {@link ML_SERVICE_ANNOTATION_SETS} and declares an endpoint with them.
 *
 * @public
 */
export function isMlService(entity: Entity): boolean {
  const annotations = entity.metadata.annotations ?? {};
  const marked = ML_SERVICE_ANNOTATION_SETS.some(keys =>
    keys.every(key => key in annotations),
  );
  return marked && hasInferenceEndpoint(entity);
}

/**
 * The protocol an entity's endpoints speak; `v2` unless annotated `v1`.
 *
 * @public
 */
export function getInferenceProtocol(entity: Entity): InferenceProtocol {
  const value =
    entity.metadata.annotations?.[MLOPS_ANNOTATIONS.inferenceProtocol];
  return value?.trim().toLowerCase() === 'v1' ? 'v1' : 'v2';
}

/**
 * The model name used in protocol paths; the entity name unless annotated.
 *
 * @public
 */
export function getModelName(entity: Entity): string {
  const value = entity.metadata.annotations?.[MLOPS_ANNOTATIONS.modelName];
  return value?.trim() || entity.metadata.name;
}

/**
 * The environment the primary `mlops/inference-url` belongs to: the
 * `mlops/inference-environment` annotation, else `default`.
 *
 * @public
 */
export function getPrimaryEnvironment(entity: Entity): string {
  const value =
    entity.metadata.annotations?.[MLOPS_ANNOTATIONS.inferenceEnvironment];
  return value?.trim() || PRIMARY_ENVIRONMENT_FALLBACK;
}

/** Where an endpoint goes: a URL, or a Kubernetes target (valid or not). */
type EndpointLocation = Pick<
  InferenceEndpoint,
  'url' | 'kubernetes' | 'invalid'
>;

function kubernetesLocation(value: string): EndpointLocation {
  try {
    const target = parseKubernetesServiceTarget(value);
    return {
      url: `${KUBERNETES_ENDPOINT_URL_PREFIX}${formatKubernetesServiceTarget(
        target,
      )}`,
      kubernetes: target,
    };
  } catch (error) {
    return {
      url: `${KUBERNETES_ENDPOINT_URL_PREFIX}${value.trim()}`,
      invalid: (error as Error).message,
    };
  }
}

/**
 * What is wrong with an inference URL, if anything. Protocol paths are
 * appended to it, so a query or fragment would carry them away from the path
 * and send the call to whatever path the entity's author wrote.
 */
function inferenceUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'not an absolute URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `scheme ${url.protocol} is not http or https`;
  }
  if (url.username || url.password) return 'it carries credentials';
  if (url.search || value.includes('?')) return 'it has a query';
  if (url.hash || value.includes('#')) return 'it has a fragment';
  return undefined;
}

function urlLocation(annotation: string, value: string): EndpointLocation {
  const problem = inferenceUrlProblem(value);
  return problem
    ? {
        url: value,
        invalid: `invalid ${annotation} "${value}": ${problem}; give the base URL the protocol paths go under, e.g. https://models.example.com/churn`,
      }
    : { url: value };
}

/**
 * Whether an entity is marked as an ML service without naming an endpoint:
 * it carries `mlops/model-name` or `mlops/inference-protocol`.
 */
function hasMlopsMark(annotations: Record<string, string>): boolean {
  return Boolean(
    annotations[MLOPS_ANNOTATIONS.modelName]?.trim() ||
      annotations[MLOPS_ANNOTATIONS.inferenceProtocol]?.trim(),
  );
}

/**
 * The Kubernetes target implied by the standard Kubernetes annotations:
 * Service `backstage.io/kubernetes-id` in `backstage.io/kubernetes-namespace`
 * of `backstage.io/kubernetes-cluster` (optional), port `http`.
 */
function implicitKubernetesLocation(
  annotations: Record<string, string>,
): EndpointLocation | undefined {
  const service = annotations[STANDARD_ANNOTATIONS.kubernetesId]?.trim();
  const namespace =
    annotations[STANDARD_ANNOTATIONS.kubernetesNamespace]?.trim();
  if (!service || !namespace || !hasMlopsMark(annotations)) return undefined;
  const cluster =
    annotations[STANDARD_ANNOTATIONS.kubernetesCluster]?.trim() || undefined;
  const target = {
    ...(cluster ? { cluster } : {}),
    namespace,
    service,
    port: DEFAULT_KUBERNETES_SERVICE_PORT,
  };
  const url = `${KUBERNETES_ENDPOINT_URL_PREFIX}${formatKubernetesServiceTarget(
    target,
  )}`;
  const problems = kubernetesServiceTargetProblems(target);
  return problems.length === 0
    ? { url, kubernetes: target }
    : {
        url,
        invalid: `invalid Kubernetes target from the ${
          STANDARD_ANNOTATIONS.kubernetesId
        }/${STANDARD_ANNOTATIONS.kubernetesNamespace}/${
          STANDARD_ANNOTATIONS.kubernetesCluster
        } annotations: ${problems.join('; ')}`,
      };
}

/** The primary endpoint's location: the URL, else the explicit Kubernetes target, else the implied one. */
function primaryLocation(
  annotations: Record<string, string>,
): EndpointLocation | undefined {
  const url = annotations[MLOPS_ANNOTATIONS.inferenceUrl]?.trim();
  if (url) return urlLocation(MLOPS_ANNOTATIONS.inferenceUrl, url);
  const target = annotations[MLOPS_ANNOTATIONS.kubernetesService]?.trim();
  if (target) return kubernetesLocation(target);
  return implicitKubernetesLocation(annotations);
}

/**
 * The location of one environment's endpoint: `mlops/inference-url-<env>`,
 * else `mlops/kubernetes-service-<env>`.
 */
function environmentLocations(
  annotations: Record<string, string>,
): Map<string, EndpointLocation> {
  const locations = new Map<string, EndpointLocation>();
  const keys = Object.keys(annotations).sort();
  for (const key of keys) {
    if (!key.startsWith(MLOPS_INFERENCE_URL_ENV_PREFIX)) continue;
    const environment = key.slice(MLOPS_INFERENCE_URL_ENV_PREFIX.length);
    const url = annotations[key].trim();
    if (environment && url) locations.set(environment, urlLocation(key, url));
  }
  for (const key of keys) {
    if (!key.startsWith(MLOPS_KUBERNETES_SERVICE_ENV_PREFIX)) continue;
    const environment = key.slice(MLOPS_KUBERNETES_SERVICE_ENV_PREFIX.length);
    const value = annotations[key].trim();
    if (environment && value && !locations.has(environment)) {
      locations.set(environment, kubernetesLocation(value));
    }
  }
  return locations;
}

/**
 * Every inference endpoint an entity declares: the primary one first,
 * labelled with its environment (`mlops/inference-environment`, else
 * `default`), then one per environment, sorted.
 *
 * The primary endpoint is `mlops/inference-url`; without it,
 * `mlops/kubernetes-service` (reached through the Kubernetes API server's
 * service proxy); without either, an entity marked as an ML service
 * (`mlops/model-name` or `mlops/inference-protocol`) that carries
 * `backstage.io/kubernetes-id` and `backstage.io/kubernetes-namespace` is
 * reached through the proxy at that Service (port `http`, cluster
 * `backstage.io/kubernetes-cluster` if set). Other environments come from
 * `mlops/inference-url-<env>`, else `mlops/kubernetes-service-<env>`.
 * Environments are unique: a per-environment annotation naming the primary
 * endpoint's environment is ignored. A Kubernetes target with invalid names
 * is listed with `invalid` set and no `kubernetes`; so is a URL that is not
 * http(s), or carries credentials, a query or a fragment.
 *
 * @public
 */
export function getInferenceEndpoints(entity: Entity): InferenceEndpoint[] {
  const annotations = entity.metadata.annotations ?? {};
  const protocol = getInferenceProtocol(entity);
  const modelName = getModelName(entity);
  const endpoints: InferenceEndpoint[] = [];
  const primary = primaryLocation(annotations);
  if (primary) {
    endpoints.push({
      environment: getPrimaryEnvironment(entity),
      ...primary,
      protocol,
      modelName,
    });
  }
  const perEnvironment = [...environmentLocations(annotations)].sort(
    ([a], [b]) => (a < b ? -1 : 1),
  );
  for (const [environment, location] of perEnvironment) {
    const taken = endpoints.some(e => e.environment === environment);
    if (!taken) {
      endpoints.push({ environment, ...location, protocol, modelName });
    }
  }
  return endpoints;
}
