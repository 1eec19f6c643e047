import {
  ClusterObjects,
  DetectedError,
  DetectedErrorsByCluster,
  detectErrors,
  groupResponses,
  KubernetesFetchError,
  ObjectsByEntityResponse,
  ResourceRef,
} from '@backstage/plugin-kubernetes-common';
import {
  detectDeploymentErrorsUpstreamLacks,
  isCourseOfRollout,
} from './deploymentErrors';
import { detectPodErrorsUpstreamLacks } from './podErrors';
import { Autoscaler, ContainerStatus, Deployment, Pod } from './types';

/** The `type` of upstream's error for an autoscaler at its maximum. */
const AUTOSCALER_AT_MAXIMUM = 'hpa-max-current-replicas';

/** Where a Deployment's rollout stands, with the meaning of `kubectl rollout status`. */
export type RolloutState = 'complete' | 'progressing' | 'stalled';

export interface ImageReference {
  repository: string;
  tag?: string;
  digest?: string;
}

export interface AutoscalerStatus {
  name: string;
  minReplicas: number;
  maxReplicas: number;
  currentReplicas: number;
  desiredReplicas: number;
  cpuTargetPercent?: number;
  cpuCurrentPercent?: number;
  /** The autoscaler runs as many replicas as it may: it cannot absorb more load. */
  atMaximum: boolean;
}

export interface DeploymentRollout {
  /** The cluster as shown: its title, else its name. */
  cluster: string;
  /** The Kubernetes plugin's name of the cluster. */
  clusterName: string;
  namespace: string;
  name: string;
  desiredReplicas: number;
  readyReplicas: number;
  updatedReplicas: number;
  availableReplicas: number;
  state: RolloutState;
  stateMessage?: string;
  image?: ImageReference;
  restarts: number;
  /**
   * When the first of its ready pods became ready (with the template's
   * readiness gate, once the load balancer serves it); undefined while none is.
   */
  readySince?: Date;
  /** Problems of the Deployment and its pods; the autoscaler's are below. */
  problems: DetectedError[];
  autoscaler?: AutoscalerStatus;
}

export interface ClusterProblem {
  /** The cluster as shown: its title, else its name. */
  cluster: string;
  /** The Kubernetes plugin's name of the cluster. */
  clusterName: string;
  message: string;
}

export interface RolloutSummary {
  /** The Deployments of the entity in the clusters that count. */
  deployments: DeploymentRollout[];
  /** What the clusters that count could not read. */
  clusterProblems: ClusterProblem[];
  /**
   * The entity's own clusters, by name, sorted; undefined when it names none
   * the Kubernetes plugin knows, and every cluster counts.
   */
  ownClusters?: string[];
  /**
   * Clusters in the answer that are not the entity's and hold none of its
   * objects, such as another service's cluster refusing (403) the entity's
   * namespace; their errors are not among `clusterProblems`.
   */
  ignoredClusters: string[];
}

/**
 * The rollout of the entity's Deployments. `ownClusters` (see
 * `countedClusters`) are the clusters whose answers count; a cluster holding
 * objects of the entity counts too, as the entity evidently runs there. The
 * errors of any other cluster are left out, so they neither show as problems
 * nor keep "not deployed yet" from showing. Without `ownClusters` every
 * cluster counts.
 */
export function summarizeRollout(
  objects: ObjectsByEntityResponse,
  ownClusters?: ReadonlySet<string>,
): RolloutSummary {
  const counts = (cluster: ClusterObjects) =>
    !ownClusters ||
    ownClusters.has(cluster.cluster.name) ||
    holdsObjects(cluster);
  const counted = objects.items.filter(counts);
  const errorsByCluster = detectErrors({ items: counted });
  return {
    deployments: counted.flatMap(cluster =>
      summarizeCluster(cluster, errorsByCluster),
    ),
    clusterProblems: counted.flatMap(cluster =>
      cluster.errors.map(error => ({
        cluster: clusterTitle(cluster),
        clusterName: cluster.cluster.name,
        message: describeFetchError(error),
      })),
    ),
    ...(ownClusters && { ownClusters: [...ownClusters].sort() }),
    ignoredClusters: objects.items
      .filter(cluster => !counts(cluster))
      .map(clusterTitle),
  };
}

function holdsObjects(cluster: ClusterObjects): boolean {
  return cluster.resources.some(response => response.resources.length > 0);
}

/** The clusters that count and could not be read, each once. */
export function unreadClusters(summary: RolloutSummary): string[] {
  return [...new Set(summary.clusterProblems.map(problem => problem.cluster))];
}

/**
 * Where no Deployment was found, to end "No Deployment of this entity
 * exists …": in any cluster, or in any of its own when only those count.
 */
export function whereNotFound(summary: RolloutSummary): string {
  return summary.ownClusters ? 'in any of its clusters' : 'in any cluster';
}

function summarizeCluster(
  cluster: ClusterObjects,
  errorsByCluster: DetectedErrorsByCluster,
): DeploymentRollout[] {
  const { deployments, pods, horizontalPodAutoscalers } = groupResponses(
    cluster.resources,
  );
  const errors = [
    ...(errorsByCluster.get(cluster.cluster.name) ?? []),
    ...detectDeploymentErrorsUpstreamLacks(deployments),
    ...detectPodErrorsUpstreamLacks(pods),
  ];
  return deployments.map(deployment =>
    summarizeDeployment({
      cluster: clusterTitle(cluster),
      clusterName: cluster.cluster.name,
      deployment,
      pods: podsOf(deployment, pods),
      autoscaler: autoscalerOf(deployment, horizontalPodAutoscalers),
      errors,
    }),
  );
}

function summarizeDeployment(options: {
  cluster: string;
  clusterName: string;
  deployment: Deployment;
  pods: Pod[];
  autoscaler?: Autoscaler;
  errors: DetectedError[];
}): DeploymentRollout {
  const { deployment, pods, autoscaler } = options;
  const { state, message } = rolloutState(deployment);
  const container = deployment.spec?.template.spec?.containers[0];
  const status = deployment.status;
  const problems = options.errors.filter(
    error =>
      (isRef(error.sourceRef, 'Deployment', deployment) &&
        !isCourseOfRollout(error, deployment)) ||
      pods.some(pod => isRef(error.sourceRef, 'Pod', pod)),
  );
  return {
    cluster: options.cluster,
    clusterName: options.clusterName,
    namespace: deployment.metadata?.namespace ?? 'default',
    name: deployment.metadata?.name ?? 'unknown',
    desiredReplicas: deployment.spec?.replicas ?? 1,
    readyReplicas: status?.readyReplicas ?? 0,
    updatedReplicas: status?.updatedReplicas ?? 0,
    availableReplicas: status?.availableReplicas ?? 0,
    state,
    stateMessage: message,
    image: container?.image
      ? imageOf(container.name, container.image, pods)
      : undefined,
    restarts: sum(containerStatuses(pods).map(s => s.restartCount)),
    readySince: readySince(pods),
    problems,
    autoscaler: autoscaler && autoscalerStatus(autoscaler, options.errors),
  };
}

function readySince(pods: Pod[]): Date | undefined {
  const times = pods.flatMap(pod => {
    const ready = pod.status?.conditions?.find(c => c.type === 'Ready');
    // Typed as a Date, the Kubernetes plugin's JSON gives a string.
    const since =
      ready?.lastTransitionTime && new Date(ready.lastTransitionTime);
    return ready?.status === 'True' && since && !Number.isNaN(since.getTime())
      ? [since]
      : [];
  });
  return times.sort((a, b) => a.getTime() - b.getTime())[0];
}

function isRef(
  ref: ResourceRef,
  kind: string,
  object: { metadata?: { name?: string; namespace?: string } },
): boolean {
  return (
    ref.kind === kind &&
    ref.name === object.metadata?.name &&
    ref.namespace === object.metadata?.namespace
  );
}

/** Mirrors the checks of `kubectl rollout status` for a Deployment. */
export function rolloutState(deployment: Deployment): {
  state: RolloutState;
  message?: string;
} {
  const status = deployment.status ?? {};
  const progressing = status.conditions?.find(c => c.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') {
    return { state: 'stalled', message: progressing.message };
  }
  const generation = deployment.metadata?.generation ?? 0;
  if ((status.observedGeneration ?? 0) < generation) {
    return {
      state: 'progressing',
      message: 'Waiting for the new spec to be observed',
    };
  }
  const desired = deployment.spec?.replicas ?? 1;
  const updated = status.updatedReplicas ?? 0;
  const total = status.replicas ?? 0;
  const available = status.availableReplicas ?? 0;
  if (updated < desired) {
    return {
      state: 'progressing',
      message: `${updated} of ${desired} replicas updated`,
    };
  }
  if (total > updated) {
    return {
      state: 'progressing',
      message: `${total - updated} old replicas pending termination`,
    };
  }
  if (available < updated) {
    return {
      state: 'progressing',
      message: `${available} of ${updated} updated replicas available`,
    };
  }
  return { state: 'complete' };
}

/** Splits `registry/repo[:tag][@digest]`; a registry port is not a tag. */
export function parseImageReference(image: string): ImageReference {
  const [nameAndTag, digest] = image.split('@');
  const lastSlash = nameAndTag.lastIndexOf('/');
  const tagSeparator = nameAndTag.indexOf(':', lastSlash + 1);
  if (tagSeparator < 0) {
    return { repository: nameAndTag, digest };
  }
  return {
    repository: nameAndTag.slice(0, tagSeparator),
    tag: nameAndTag.slice(tagSeparator + 1),
    digest,
  };
}

/**
 * The image a Deployment asks for. A tag alone does not say what runs, so
 * the digest comes from the pods that pulled that exact reference.
 */
function imageOf(
  containerName: string,
  image: string,
  pods: Pod[],
): ImageReference {
  const reference = parseImageReference(image);
  if (reference.digest) {
    return reference;
  }
  const pulled = containerStatuses(pods).find(
    s => s.name === containerName && s.image === image && s.imageID,
  );
  const digest = pulled?.imageID.split('@')[1];
  return digest ? { ...reference, digest } : reference;
}

function podsOf(deployment: Deployment, pods: Pod[]): Pod[] {
  const selector = deployment.spec?.selector.matchLabels ?? {};
  const namespace = deployment.metadata?.namespace;
  return pods.filter(
    pod =>
      pod.metadata?.namespace === namespace &&
      Object.entries(selector).every(
        ([key, value]) => pod.metadata?.labels?.[key] === value,
      ),
  );
}

function autoscalerOf(
  deployment: Deployment,
  autoscalers: Autoscaler[],
): Autoscaler | undefined {
  return autoscalers.find(
    hpa =>
      hpa.metadata?.namespace === deployment.metadata?.namespace &&
      hpa.spec?.scaleTargetRef.kind === 'Deployment' &&
      hpa.spec.scaleTargetRef.name === deployment.metadata?.name,
  );
}

function autoscalerStatus(
  autoscaler: Autoscaler,
  errors: DetectedError[],
): AutoscalerStatus | undefined {
  if (!autoscaler.spec) {
    return undefined;
  }
  return {
    name: autoscaler.metadata?.name ?? 'unknown',
    minReplicas: autoscaler.spec.minReplicas ?? 1,
    maxReplicas: autoscaler.spec.maxReplicas,
    currentReplicas: autoscaler.status?.currentReplicas ?? 0,
    desiredReplicas: autoscaler.status?.desiredReplicas ?? 0,
    ...cpuUtilization(autoscaler),
    atMaximum: errors.some(
      error =>
        error.type === AUTOSCALER_AT_MAXIMUM &&
        isRef(error.sourceRef, 'HorizontalPodAutoscaler', autoscaler),
    ),
  };
}

/** autoscaling/v1 objects only carry the CPU percentages as flat fields. */
interface AutoscalerV1Fields {
  spec?: { targetCPUUtilizationPercentage?: number };
  status?: { currentCPUUtilizationPercentage?: number };
}

function cpuUtilization(autoscaler: Autoscaler): {
  cpuTargetPercent?: number;
  cpuCurrentPercent?: number;
} {
  const v1 = autoscaler as AutoscalerV1Fields;
  const target = autoscaler.spec?.metrics?.find(
    m => m.type === 'Resource' && m.resource?.name === 'cpu',
  );
  const current = autoscaler.status?.currentMetrics?.find(
    m => m.type === 'Resource' && m.resource?.name === 'cpu',
  );
  return {
    cpuTargetPercent:
      target?.resource?.target.averageUtilization ??
      v1.spec?.targetCPUUtilizationPercentage,
    cpuCurrentPercent:
      current?.resource?.current.averageUtilization ??
      v1.status?.currentCPUUtilizationPercentage,
  };
}

function containerStatuses(pods: Pod[]): ContainerStatus[] {
  return pods.flatMap(pod => pod.status?.containerStatuses ?? []);
}

function clusterTitle(cluster: ClusterObjects): string {
  return cluster.cluster.title ?? cluster.cluster.name;
}

function describeFetchError(error: KubernetesFetchError): string {
  if (error.errorType === 'FETCH_ERROR') {
    return error.message;
  }
  const status = error.statusCode ? ` (HTTP ${error.statusCode})` : '';
  const path = error.resourcePath ? ` for ${error.resourcePath}` : '';
  return `${error.errorType}${status}${path}`;
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

const PROBLEM_LABELS: Record<string, string> = {
  'readiness-probe-taking-too-long': 'Not ready',
  'container-waiting': 'Container waiting',
  'containers-restarting': 'Restarting',
  'condition-message-present': 'Deployment condition',
  'pod-unschedulable': 'Unschedulable',
  'pod-evicted': 'Evicted',
  'deployment-replica-failure': 'Pods not created',
};

/** A short name for a problem: the Kubernetes reason when it is known. */
export function problemLabel(problem: DetectedError): string {
  return (
    problem.proposedFix?.errorType ??
    PROBLEM_LABELS[problem.type] ??
    problem.type
  );
}
