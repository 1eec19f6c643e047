import { resourceTypesFor } from '../resourceTypes';
import { DeploymentScenario, KubernetesObject } from '../types';
import { behaviourOf } from './scenarioBehaviour';
import { withServerFields } from './serverFields';
import {
  synthesisePodEvents,
  synthesiseRescaleEvent,
  synthesiseScalingEvent,
} from './synthesiseEvents';
import {
  autoscaledReplicas,
  scalesDeployment,
  synthesiseAutoscalerStatus,
  synthesiseOrphanAutoscalerStatus,
} from './synthesiseHorizontalPodAutoscaler';
import { synthesisePodMetrics } from './synthesisePodMetrics';
import { deploymentSpecOf, synthesiseRollout } from './synthesiseRollout';

export interface SimulationInput {
  /** The objects of the manifests, as parsed. */
  manifests: readonly KubernetesObject[];
  /** The scenario per Deployment name; a Deployment not named here is `healthy`. */
  scenarios: ReadonlyMap<string, DeploymentScenario>;
  now: Date;
  resourceVersion: string;
}

/**
 * Everything a cluster would hold after applying the manifests: the manifest objects with
 * server-set fields, and for each Deployment its ReplicaSet, Pods, status, autoscaler status,
 * events and pod metrics, as its scenario dictates. The same input always gives the same output.
 */
export function simulateCluster(input: SimulationInput): KubernetesObject[] {
  const { manifests, scenarios, now, resourceVersion } = input;
  checkScenarios(manifests, scenarios);
  const types = resourceTypesFor(manifests);
  const stored = manifests.map(manifest =>
    withServerFields(manifest, types, now, resourceVersion),
  );
  checkUnique(stored);
  const autoscalers = stored.filter(
    object => object.kind === 'HorizontalPodAutoscaler',
  );
  const simulatedAutoscalers = new Map<KubernetesObject, KubernetesObject>();
  const result: KubernetesObject[] = [];
  for (const object of stored) {
    if (object.kind !== 'Deployment') {
      result.push(object);
      continue;
    }
    const scenario = scenarios.get(object.metadata.name) ?? 'healthy';
    const behaviour = behaviourOf(scenario);
    const spec = deploymentSpecOf(object);
    const autoscaler = autoscalers.find(hpa => scalesDeployment(hpa, object));
    if (scenario === 'hpa-max' && !autoscaler) {
      throw new Error(
        `scenario hpa-max needs a HorizontalPodAutoscaler for Deployment ${object.metadata.name}`,
      );
    }
    // The API server defaults spec.replicas to 1; an autoscaler then moves it within its bounds.
    const replicas = autoscaler
      ? autoscaledReplicas(autoscaler, spec.replicas ?? 1, behaviour)
      : spec.replicas ?? 1;
    const rollout = synthesiseRollout({
      deployment: object,
      replicas,
      behaviour,
      now,
      resourceVersion,
    });
    result.push(rollout.deployment, rollout.replicaSet, ...rollout.pods);
    result.push(
      synthesiseScalingEvent(
        object,
        rollout.replicaSet,
        replicas,
        now,
        resourceVersion,
        behaviour.deployedSecondsAgo,
      ),
    );
    for (const pod of rollout.pods) {
      result.push(
        ...synthesisePodEvents(
          pod,
          now,
          resourceVersion,
          behaviour.deployedSecondsAgo,
        ),
      );
      const metrics =
        behaviour.cpuUtilizationPercent === undefined
          ? undefined
          : synthesisePodMetrics(pod, behaviour.cpuUtilizationPercent, now);
      if (metrics) {
        result.push(metrics);
      }
    }
    if (autoscaler) {
      simulatedAutoscalers.set(
        autoscaler,
        synthesiseAutoscalerStatus({
          hpa: autoscaler,
          deploymentSpec: spec,
          replicas,
          behaviour,
          now,
        }),
      );
      if (behaviour.scaledToMaximum) {
        result.push(
          synthesiseRescaleEvent(autoscaler, replicas, now, resourceVersion),
        );
      }
    }
  }
  return result.map(object =>
    object.kind === 'HorizontalPodAutoscaler'
      ? simulatedAutoscalers.get(object) ??
        synthesiseOrphanAutoscalerStatus(object, now)
      : object,
  );
}

/** Every scenario must name a Deployment of the manifests, so that a typo does not go unnoticed. */
function checkScenarios(
  manifests: readonly KubernetesObject[],
  scenarios: ReadonlyMap<string, DeploymentScenario>,
) {
  const deploymentNames = manifests
    .filter(object => object.kind === 'Deployment')
    .map(object => object.metadata.name);
  for (const name of scenarios.keys()) {
    if (!deploymentNames.includes(name)) {
      throw new Error(
        `a scenario is set for Deployment "${name}", but the manifests only have Deployments [${deploymentNames.join(
          ', ',
        )}]`,
      );
    }
  }
}

function checkUnique(objects: readonly KubernetesObject[]) {
  const seen = new Set<string>();
  for (const { apiVersion, kind, metadata } of objects) {
    const key = `${apiVersion} ${kind} ${metadata.namespace ?? ''}/${
      metadata.name
    }`;
    if (seen.has(key)) {
      throw new Error(`the manifests contain ${key} twice`);
    }
    seen.add(key);
  }
}
