import {
  Entity,
  parseEntityRef,
  RELATION_DEPENDS_ON,
} from '@backstage/catalog-model';
import {
  MLOPS_ANNOTATIONS,
  MLOPS_KUBERNETES_SERVICE_ENV_PREFIX,
  parseKubernetesServiceTarget,
  STANDARD_ANNOTATIONS,
} from '@eks-mlops/backstage-plugin-mlops-common';

/**
 * The clusters an entity says it runs on, by the names the Kubernetes plugin
 * gives its clusters:
 * - the cluster of every `mlops/kubernetes-service` and
 *   `mlops/kubernetes-service-<env>` target (an invalid target names none);
 * - `mlops/eks-cluster` and `backstage.io/kubernetes-cluster`;
 * - every Resource it `dependsOn` in its own namespace: the catalog cluster
 *   locator names a cluster after its Resource's `metadata.name`, and the
 *   `catalogRelation` service locator matches `resource:<the entity's
 *   namespace>/<cluster name>` the same way. Relation targets are lower-case.
 *
 * A Resource need not be a cluster; {@link countedClusters} keeps only the
 * names the Kubernetes plugin knows.
 */
export function clustersNamedBy(entity: Entity): string[] {
  const annotations = entity.metadata.annotations ?? {};
  const names = new Set<string>();
  const add = (name: string | undefined) => {
    const trimmed = name?.trim();
    if (trimmed) {
      names.add(trimmed);
    }
  };
  for (const [key, value] of Object.entries(annotations)) {
    if (
      key === MLOPS_ANNOTATIONS.kubernetesService ||
      key.startsWith(MLOPS_KUBERNETES_SERVICE_ENV_PREFIX)
    ) {
      add(targetCluster(value));
    }
  }
  add(annotations[MLOPS_ANNOTATIONS.eksCluster]);
  add(annotations[STANDARD_ANNOTATIONS.kubernetesCluster]);
  const namespace = lowerCase(entity.metadata.namespace ?? 'default');
  for (const relation of entity.relations ?? []) {
    if (relation.type === RELATION_DEPENDS_ON) {
      add(dependedOnResource(relation.targetRef, namespace));
    }
  }
  return [...names].sort();
}

function targetCluster(value: string): string | undefined {
  try {
    return parseKubernetesServiceTarget(value).cluster;
  } catch {
    return undefined;
  }
}

function dependedOnResource(
  targetRef: string,
  namespace: string,
): string | undefined {
  try {
    const ref = parseEntityRef(targetRef);
    return lowerCase(ref.kind) === 'resource' &&
      lowerCase(ref.namespace) === namespace
      ? ref.name
      : undefined;
  } catch {
    return undefined;
  }
}

function lowerCase(text: string): string {
  return text.toLocaleLowerCase('en-US');
}

/**
 * Whether two names are the same cluster: compared without case, as
 * {@link countedClusters} compares them.
 */
export function sameCluster(a: string, b: string): boolean {
  return lowerCase(a) === lowerCase(b);
}

/**
 * The clusters whose answers count for the entity's rollout: those it names
 * (see {@link clustersNamedBy}) that are among `knownClusters`, the clusters
 * the Kubernetes plugin knows, compared without case (relation targets are
 * lower-case, EKS cluster names need not be). Undefined when it names none of
 * them, as a hand-written entity with only `mlops/inference-url` does: then
 * every cluster counts.
 *
 * With the `multiTenant` service locator the Kubernetes plugin asks every
 * cluster for the entity's namespace, so the clusters of other services
 * answer too, typically with 403; only the entity's own answers should count.
 */
export function countedClusters(
  entity: Entity,
  knownClusters: Iterable<string>,
): ReadonlySet<string> | undefined {
  const named = new Set(clustersNamedBy(entity).map(lowerCase));
  const counted = [...new Set(knownClusters)].filter(name =>
    named.has(lowerCase(name)),
  );
  return counted.length > 0 ? new Set(counted) : undefined;
}
