import { Entity } from '@backstage/catalog-model';
import { isMlService } from '@eks-mlops/backstage-plugin-mlops-common';

/**
 * Whether an entity is an ML service this plugin can show, as the mlops
 * backend decides it: the entity declares a primary inference endpoint,
 * `mlops/inference-url` (a base URL) or `mlops/kubernetes-service` (a
 * `[<cluster>/]<namespace>/<service>[:<port>]` reached through the Kubernetes
 * API server's service proxy; what the ML service template writes when no
 * host is chosen), or is marked with `mlops/model-name` (or
 * `mlops/inference-protocol`) and names its Service with
 * `backstage.io/kubernetes-id` and `backstage.io/kubernetes-namespace`.
 * Per-environment endpoints (`mlops/inference-url-<env>`,
 * `mlops/kubernetes-service-<env>`) add environments but do not make an
 * entity an ML service on their own: the backend does not read such entities
 * from the catalog (see `ML_SERVICE_ANNOTATION_SETS` in mlops-common). Use it with `EntitySwitch` or as the filter of the card
 * and the tab.
 *
 * @public
 */
export function isMlServiceAvailable(entity: Entity): boolean {
  return isMlService(entity);
}
