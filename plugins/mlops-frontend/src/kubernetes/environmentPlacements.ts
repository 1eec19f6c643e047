import { Entity } from '@backstage/catalog-model';
import {
  getPrimaryEnvironment,
  KubernetesServiceTarget,
  MLOPS_ANNOTATIONS,
  MLOPS_KUBERNETES_SERVICE_ENV_PREFIX,
  parseKubernetesServiceTarget,
  STANDARD_ANNOTATIONS,
} from '@eks-mlops/backstage-plugin-mlops-common';
import { sameCluster } from './entityClusters';
import { DeploymentRollout, RolloutSummary, whereNotFound } from './rollout';

/** Where an environment's workload runs. */
export interface Placement {
  /** The Kubernetes plugin's name of the cluster; undefined: any cluster. */
  cluster?: string;
  namespace: string;
}

/**
 * Where the entity's environments run, as far as its annotations say:
 * - an environment with a Kubernetes target (`mlops/kubernetes-service` for
 *   the primary one, `mlops/kubernetes-service-<env>` for the others) runs in
 *   the target's namespace and cluster;
 * - the primary environment without one runs in
 *   `backstage.io/kubernetes-namespace`, on `backstage.io/kubernetes-cluster`,
 *   else `mlops/eks-cluster`, else any cluster. The ML service template writes
 *   these for its primary (last) environment when a host makes the endpoints
 *   URLs.
 *
 * Of any other environment nothing is known. An invalid target places nothing.
 */
export function environmentPlacements(entity: Entity): Map<string, Placement> {
  const annotations = entity.metadata.annotations ?? {};
  const primary = getPrimaryEnvironment(entity);
  const placements = new Map<string, Placement>();
  const primaryPlacement = annotations[MLOPS_ANNOTATIONS.kubernetesService]
    ? placementOf(annotations[MLOPS_ANNOTATIONS.kubernetesService])
    : annotatedPlacement(annotations);
  if (primaryPlacement) {
    placements.set(primary, primaryPlacement);
  }
  for (const [key, value] of Object.entries(annotations)) {
    const environment = key.startsWith(MLOPS_KUBERNETES_SERVICE_ENV_PREFIX)
      ? key.slice(MLOPS_KUBERNETES_SERVICE_ENV_PREFIX.length)
      : '';
    const placement = environment ? placementOf(value) : undefined;
    // As for endpoints, the primary environment's own annotations win.
    if (placement && environment !== primary) {
      placements.set(environment, placement);
    }
  }
  return placements;
}

function placementOf(target: string): Placement | undefined {
  let parsed: KubernetesServiceTarget;
  try {
    parsed = parseKubernetesServiceTarget(target);
  } catch {
    return undefined;
  }
  return parsed.cluster
    ? { cluster: parsed.cluster, namespace: parsed.namespace }
    : { namespace: parsed.namespace };
}

function annotatedPlacement(
  annotations: Record<string, string>,
): Placement | undefined {
  const namespace =
    annotations[STANDARD_ANNOTATIONS.kubernetesNamespace]?.trim();
  if (!namespace) {
    return undefined;
  }
  const cluster =
    annotations[STANDARD_ANNOTATIONS.kubernetesCluster]?.trim() ||
    annotations[MLOPS_ANNOTATIONS.eksCluster]?.trim();
  return cluster ? { cluster, namespace } : { namespace };
}

/** What the Kubernetes plugin's answer tells of an environment's placement. */
export type PlacementStatus =
  /** A Deployment of the entity is there. */
  | 'deployed'
  /** It was read and holds no Deployment of the entity. */
  | 'not-deployed'
  /**
   * The plugin did not fetch its namespace: `backstage.io/kubernetes-namespace`
   * limits the fetch to another one (the template's shared-cluster mode names
   * the primary environment's).
   */
  | 'not-fetched'
  /** Its cluster is not one the plugin knows under that name, or it could not be read. */
  | 'not-read';

export interface PlacementReading {
  placement: Placement;
  status: PlacementStatus;
}

/**
 * What the answer tells of each placed environment (see
 * {@link environmentPlacements}). A placement is read when its cluster is one
 * of the entity's own that the plugin knows (`summary.ownClusters`) and it
 * answered without error; a placement without a cluster, when every cluster
 * that counts answered. The plugin's answer leaves out the clusters where it
 * found nothing, so a read placement without a Deployment is one that has
 * not been deployed yet, such as a production environment awaiting its
 * approval while development runs.
 */
export function readPlacements(
  entity: Entity,
  summary: RolloutSummary,
): Map<string, PlacementReading> {
  const fetchedNamespace =
    entity.metadata.annotations?.[
      STANDARD_ANNOTATIONS.kubernetesNamespace
    ]?.trim();
  const readings = new Map<string, PlacementReading>();
  for (const [environment, placement] of environmentPlacements(entity)) {
    readings.set(environment, {
      placement,
      status: statusOf(placement, summary, fetchedNamespace),
    });
  }
  return readings;
}

function statusOf(
  placement: Placement,
  summary: RolloutSummary,
  fetchedNamespace: string | undefined,
): PlacementStatus {
  if (summary.deployments.some(deployment => isIn(deployment, placement))) {
    return 'deployed';
  }
  if (fetchedNamespace && fetchedNamespace !== placement.namespace) {
    return 'not-fetched';
  }
  return wasRead(placement, summary) ? 'not-deployed' : 'not-read';
}

function wasRead(placement: Placement, summary: RolloutSummary): boolean {
  const { cluster } = placement;
  if (!cluster) {
    return summary.clusterProblems.length === 0;
  }
  return (
    (summary.ownClusters ?? []).some(own => sameCluster(own, cluster)) &&
    !summary.clusterProblems.some(problem =>
      sameCluster(problem.clusterName, cluster),
    )
  );
}

function isIn(
  deployment: { clusterName: string; namespace: string },
  placement: Placement,
): boolean {
  return (
    deployment.namespace === placement.namespace &&
    (!placement.cluster ||
      sameCluster(deployment.clusterName, placement.cluster))
  );
}

/** Where an environment's Deployment was looked for, to end "No Deployment … exists …". */
export function describePlacement(placement: Placement): string {
  const namespace = `in namespace ${placement.namespace}`;
  return placement.cluster
    ? `${namespace} of cluster ${placement.cluster}`
    : `${namespace} of any cluster`;
}

/**
 * Where the environment's Deployment was looked for and not found, when it
 * is known not to be deployed yet; otherwise undefined. An environment whose
 * placement the entity gives (see {@link readPlacements}) is judged by it
 * alone: production awaiting approval while development runs is not deployed
 * yet, and an environment whose namespace was not fetched is not judged. Any
 * other is not deployed yet when the Kubernetes plugin answered from every
 * cluster that counts for the entity (its own, when it names them; see
 * `countedClusters`) and none has a Deployment of it. Other services'
 * clusters refusing the entity's namespace do not stand in the way.
 */
export function whereNotDeployed(
  summary: RolloutSummary,
  placements: ReadonlyMap<string, PlacementReading>,
  environment: string,
): string | undefined {
  const reading = placements.get(environment);
  if (reading?.status === 'not-deployed') {
    return describePlacement(reading.placement);
  }
  if (reading && reading.status !== 'not-read') {
    return undefined;
  }
  return summary.deployments.length === 0 &&
    summary.clusterProblems.length === 0
    ? whereNotFound(summary)
    : undefined;
}

/**
 * The environment's Deployment, when the entity places the environment (see
 * {@link readPlacements}) and none of its Deployments has a problem (a pod
 * that cannot start or cannot be created, a stalled rollout; not the course
 * of a rollout under way, which the rollout leaves out); otherwise
 * undefined. What it tells of an endpoint that has not answered yet,
 * `firstRolloutStage` says.
 */
export function environmentRollout(
  summary: RolloutSummary,
  placements: ReadonlyMap<string, PlacementReading>,
  environment: string,
): DeploymentRollout | undefined {
  const reading = placements.get(environment);
  if (reading?.status !== 'deployed') {
    return undefined;
  }
  const deployments = summary.deployments.filter(deployment =>
    isIn(deployment, reading.placement),
  );
  return deployments.some(deployment => deployment.problems.length > 0)
    ? undefined
    : deployments[0];
}
