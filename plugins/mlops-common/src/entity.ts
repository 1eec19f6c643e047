import { Entity } from '@backstage/catalog-model';
import {
  MLOPS_ANNOTATIONS,
  MLOPS_INFERENCE_URL_ENV_PREFIX,
  PRIMARY_ENVIRONMENT_FALLBACK,
} from './annotations';
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

/**
 * Every inference endpoint an entity declares: `mlops/inference-url` first,
 * labelled with its environment (`mlops/inference-environment`, else
 * `default`), then one per `mlops/inference-url-<env>`, sorted. Environments
 * are unique: a per-environment annotation naming the primary endpoint's
 * environment is ignored.
 *
 * @public
 */
export function getInferenceEndpoints(entity: Entity): InferenceEndpoint[] {
  const annotations = entity.metadata.annotations ?? {};
  const protocol = getInferenceProtocol(entity);
  const modelName = getModelName(entity);
  const endpoints: InferenceEndpoint[] = [];
  const primary = annotations[MLOPS_ANNOTATIONS.inferenceUrl]?.trim();
  if (primary) {
    endpoints.push({
      environment: getPrimaryEnvironment(entity),
      url: primary,
      protocol,
      modelName,
    });
  }
  const perEnvironment = Object.keys(annotations)
    .filter(key => key.startsWith(MLOPS_INFERENCE_URL_ENV_PREFIX))
    .sort();
  for (const key of perEnvironment) {
    const url = annotations[key].trim();
    const environment = key.slice(MLOPS_INFERENCE_URL_ENV_PREFIX.length);
    const taken = endpoints.some(e => e.environment === environment);
    if (url && environment && !taken) {
      endpoints.push({ environment, url, protocol, modelName });
    }
  }
  return endpoints;
}
