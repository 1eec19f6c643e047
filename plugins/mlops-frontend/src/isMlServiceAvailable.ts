import { Entity } from '@backstage/catalog-model';
import { hasInferenceEndpoint } from '@eks-mlops/backstage-plugin-mlops-common';

/**
 * Whether an entity is an ML service this plugin can show: it declares at
 * least one inference endpoint (`mlops/inference-url` or
 * `mlops/inference-url-<env>`). Use it with `EntitySwitch` or as the filter of
 * the card and the tab.
 *
 * @public
 */
export function isMlServiceAvailable(entity: Entity): boolean {
  return hasInferenceEndpoint(entity);
}
