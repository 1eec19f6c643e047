import {
  ClusterObjects,
  DeploymentFetchResponse,
  HorizontalPodAutoscalersFetchResponse,
  KubernetesFetchError,
  ObjectsByEntityResponse,
  PodFetchResponse,
} from '@backstage/plugin-kubernetes-common';

type Deployment = DeploymentFetchResponse['resources'][number];
type Pod = PodFetchResponse['resources'][number];
type Autoscaler = HorizontalPodAutoscalersFetchResponse['resources'][number];
type ContainerStatus = NonNullable<
  NonNullable<Pod['status']>['containerStatuses']
>[number];

/** Where a Deployment's rollout stands, with the meaning of `kubectl rollout status`. */
export type RolloutState = 'complete' | 'progressing' | 'stalled';

export interface ImageReference {
  repository: string;
  tag?: string;
  digest?: string;
}

/** A reason a pod of the service is not serving, as Kubernetes reports it. */
export interface PodProblem {
  pod: string;
  container: string;
  reason: string;
  message?: string;
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
  cluster: string;
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
  problems: PodProblem[];
  autoscaler?: AutoscalerStatus;
}

export interface ClusterProblem {
  cluster: string;
  message: string;
}

export interface RolloutSummary {
  deployments: DeploymentRollout[];
  clusterProblems: ClusterProblem[];
}

/** Container waiting reasons that mean the container cannot run. */
const WAITING_PROBLEMS = new Set([
  'CrashLoopBackOff',
  'ImagePullBackOff',
  'ErrImagePull',
  'InvalidImageName',
  'CreateContainerConfigError',
  'CreateContainerError',
  'RunContainerError',
]);

/** Termination reasons worth showing even after the container restarted. */
const TERMINATION_PROBLEMS = new Set([
  'OOMKilled',
  'Error',
  'ContainerCannotRun',
]);

export function summarizeRollout(
  objects: ObjectsByEntityResponse,
): RolloutSummary {
  return {
    deployments: objects.items.flatMap(summarizeCluster),
    clusterProblems: objects.items.flatMap(cluster =>
      cluster.errors.map(error => ({
        cluster: clusterName(cluster),
        message: describeFetchError(error),
      })),
    ),
  };
}

function summarizeCluster(cluster: ClusterObjects): DeploymentRollout[] {
  const deployments = resourcesOfType<Deployment>(cluster, 'deployments');
  const pods = resourcesOfType<Pod>(cluster, 'pods');
  const autoscalers = resourcesOfType<Autoscaler>(
    cluster,
    'horizontalpodautoscalers',
  );
  return deployments.map(deployment =>
    summarizeDeployment(clusterName(cluster), deployment, pods, autoscalers),
  );
}

function summarizeDeployment(
  cluster: string,
  deployment: Deployment,
  allPods: Pod[],
  autoscalers: Autoscaler[],
): DeploymentRollout {
  const pods = podsOf(deployment, allPods);
  const { state, message } = rolloutState(deployment);
  const container = deployment.spec?.template.spec?.containers[0];
  const status = deployment.status;
  return {
    cluster,
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
    problems: pods.flatMap(podProblems),
    autoscaler: autoscalerOf(deployment, autoscalers),
  };
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

function podProblems(pod: Pod): PodProblem[] {
  const podName = pod.metadata?.name ?? 'unknown';
  const problems: PodProblem[] = [];
  if (pod.status?.reason === 'Evicted') {
    problems.push({
      pod: podName,
      container: '',
      reason: 'Evicted',
      message: pod.status.message,
    });
  }
  const unschedulable = pod.status?.conditions?.find(
    c => c.type === 'PodScheduled' && c.reason === 'Unschedulable',
  );
  if (unschedulable) {
    problems.push({
      pod: podName,
      container: '',
      reason: 'Unschedulable',
      message: unschedulable.message,
    });
  }
  for (const status of containerStatuses([pod])) {
    problems.push(...containerProblems(podName, status));
  }
  return problems;
}

function containerProblems(pod: string, status: ContainerStatus): PodProblem[] {
  const problems: PodProblem[] = [];
  const waiting = status.state?.waiting;
  if (waiting?.reason && WAITING_PROBLEMS.has(waiting.reason)) {
    problems.push({
      pod,
      container: status.name,
      reason: waiting.reason,
      message: waiting.message,
    });
  }
  const terminated = status.state?.terminated ?? status.lastState?.terminated;
  if (terminated?.reason && TERMINATION_PROBLEMS.has(terminated.reason)) {
    problems.push({
      pod,
      container: status.name,
      reason: terminated.reason,
      message: `exit code ${terminated.exitCode}${
        terminated.finishedAt ? ` at ${String(terminated.finishedAt)}` : ''
      }`,
    });
  }
  return problems;
}

function autoscalerOf(
  deployment: Deployment,
  autoscalers: Autoscaler[],
): AutoscalerStatus | undefined {
  const autoscaler = autoscalers.find(
    hpa =>
      hpa.metadata?.namespace === deployment.metadata?.namespace &&
      hpa.spec?.scaleTargetRef.kind === 'Deployment' &&
      hpa.spec.scaleTargetRef.name === deployment.metadata?.name,
  );
  if (!autoscaler?.spec) {
    return undefined;
  }
  const currentReplicas = autoscaler.status?.currentReplicas ?? 0;
  const maxReplicas = autoscaler.spec.maxReplicas;
  return {
    name: autoscaler.metadata?.name ?? 'unknown',
    minReplicas: autoscaler.spec.minReplicas ?? 1,
    maxReplicas,
    currentReplicas,
    desiredReplicas: autoscaler.status?.desiredReplicas ?? 0,
    ...cpuUtilization(autoscaler),
    atMaximum: currentReplicas >= maxReplicas,
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

function resourcesOfType<T>(cluster: ClusterObjects, type: string): T[] {
  return cluster.resources
    .filter(response => response.type === type)
    .flatMap(response => response.resources as T[]);
}

function containerStatuses(pods: Pod[]): ContainerStatus[] {
  return pods.flatMap(pod => pod.status?.containerStatuses ?? []);
}

function clusterName(cluster: ClusterObjects): string {
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
