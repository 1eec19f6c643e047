/**
 * A read-only Kubernetes API test double: serves the objects of rendered manifests, plus the
 * ReplicaSets, Pods and statuses a cluster would add, to the Backstage kubernetes-backend in local
 * demos and tests. A labelled simulation, never used when a real cluster is configured.
 *
 * @packageDocumentation
 */

export { createKubernetesTestDouble } from './createKubernetesTestDouble';
export type {
  KubernetesTestDouble,
  KubernetesTestDoubleOptions,
  RecordedRequest,
} from './createKubernetesTestDouble';
export { PROXY_TARGET_ANNOTATION } from './http/serviceProxy';
export { failureStatus } from './http/status';
export { loadManifests } from './loadManifests';
export { parseManifests } from './manifests';
export { matchesLabelSelector, parseLabelSelector } from './labelSelector';
export type { LabelRequirement } from './labelSelector';
export { simulateCluster } from './synthesis/simulateCluster';
export type { SimulationInput } from './synthesis/simulateCluster';
export { DEPLOYMENT_SCENARIOS, isDeploymentScenario } from './types';
export type { DeploymentScenario, KubernetesObject, ObjectMeta } from './types';
