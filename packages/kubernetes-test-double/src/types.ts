/** Metadata of a Kubernetes object; only the fields the test double reads are typed. */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [field: string]: unknown;
}

/** Any Kubernetes object, as found in a manifest or served by the test double. */
export interface KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

/**
 * What the simulated cluster does with a Deployment.
 *
 * - `healthy`: every replica ready, the rollout complete (the default).
 * - `stalled`: the rollout exceeded its progress deadline; one replica never gets ready.
 * - `crashloop`: one replica's container keeps crashing (`CrashLoopBackOff`).
 * - `imagepull`: the image cannot be pulled (`ImagePullBackOff`, and `ErrImagePull` on a second replica).
 * - `oomkilled`: one replica was restarted after running out of memory (`OOMKilled`), and runs again.
 * - `hpa-max`: the HorizontalPodAutoscaler runs the maximum number of replicas and wants more.
 * - `first-rollout`: the manifests were applied 90 seconds ago and no replica runs yet: every
 *   container is being created (`ContainerCreating`), none is available, the rollout progresses.
 */
export type DeploymentScenario =
  | 'healthy'
  | 'stalled'
  | 'crashloop'
  | 'imagepull'
  | 'oomkilled'
  | 'hpa-max'
  | 'first-rollout';

/** Every {@link DeploymentScenario}, in the order they are documented. */
export const DEPLOYMENT_SCENARIOS: readonly DeploymentScenario[] = [
  'healthy',
  'stalled',
  'crashloop',
  'imagepull',
  'oomkilled',
  'hpa-max',
  'first-rollout',
];

/** Whether a string (from a CLI flag, say) names a {@link DeploymentScenario}. */
export function isDeploymentScenario(
  value: string,
): value is DeploymentScenario {
  return (DEPLOYMENT_SCENARIOS as readonly string[]).includes(value);
}
