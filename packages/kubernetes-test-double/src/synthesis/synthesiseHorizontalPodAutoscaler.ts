import { KubernetesObject } from '../types';
import { formatMillicores, parseQuantity } from './quantity';
import { ScenarioBehaviour } from './scenarioBehaviour';
import { DEPLOYED_SECONDS_AGO, timestampAgo } from './time';
import { DeploymentSpec, HorizontalPodAutoscalerSpec } from './workloadTypes';

/** Memory use of a running replica, in percent of its request. */
export const MEMORY_UTILIZATION_PERCENT = 60;

export function horizontalPodAutoscalerSpecOf(
  hpa: KubernetesObject,
): HorizontalPodAutoscalerSpec {
  const spec = hpa.spec as HorizontalPodAutoscalerSpec | undefined;
  if (!spec?.scaleTargetRef || typeof spec.maxReplicas !== 'number') {
    throw new Error(
      `HorizontalPodAutoscaler ${hpa.metadata.name} has no spec.scaleTargetRef or spec.maxReplicas`,
    );
  }
  return spec;
}

/** Whether the HorizontalPodAutoscaler scales the Deployment. */
export function scalesDeployment(
  hpa: KubernetesObject,
  deployment: KubernetesObject,
): boolean {
  const { scaleTargetRef } = horizontalPodAutoscalerSpecOf(hpa);
  return (
    hpa.metadata.namespace === deployment.metadata.namespace &&
    scaleTargetRef.kind === 'Deployment' &&
    scaleTargetRef.name === deployment.metadata.name
  );
}

/** The replica count the autoscaler settles on for the scenario. */
export function autoscaledReplicas(
  hpa: KubernetesObject,
  requestedReplicas: number,
  behaviour: ScenarioBehaviour,
): number {
  const { minReplicas = 1, maxReplicas } = horizontalPodAutoscalerSpecOf(hpa);
  if (behaviour.scaledToMaximum) {
    return maxReplicas;
  }
  return Math.min(Math.max(requestedReplicas, minReplicas), maxReplicas);
}

/**
 * The HorizontalPodAutoscaler with the status its controller would report while scaling the
 * Deployment to `replicas` at the scenario's CPU utilisation.
 */
export function synthesiseAutoscalerStatus(options: {
  hpa: KubernetesObject;
  deploymentSpec: DeploymentSpec;
  replicas: number;
  behaviour: ScenarioBehaviour;
  now: Date;
}): KubernetesObject {
  const { hpa, deploymentSpec, replicas, behaviour, now } = options;
  const spec = horizontalPodAutoscalerSpecOf(hpa);
  const cpuUtilizationPercent = behaviour.cpuUtilizationPercent;
  if (cpuUtilizationPercent === undefined) {
    return withoutMetrics(hpa, replicas, behaviour, now);
  }
  const currentMetrics = (spec.metrics ?? []).flatMap(metric => {
    if (metric.type !== 'Resource' || !metric.resource) {
      return [];
    }
    const { name } = metric.resource;
    const utilization =
      name === 'cpu' ? cpuUtilizationPercent : MEMORY_UTILIZATION_PERCENT;
    const request = sumOfRequests(deploymentSpec, name);
    const averageValue =
      request === undefined ? undefined : (request * utilization) / 100;
    return [
      {
        type: 'Resource',
        resource: {
          name,
          current: {
            averageUtilization: utilization,
            ...(averageValue !== undefined && {
              averageValue:
                name === 'cpu'
                  ? formatMillicores(averageValue)
                  : String(Math.round(averageValue)),
            }),
          },
        },
      },
    ];
  });
  const scaledAt = timestampAgo(now, DEPLOYED_SECONDS_AGO - 120);
  const scalingLimited = behaviour.scaledToMaximum
    ? {
        status: 'True',
        reason: 'TooManyReplicas',
        message:
          'the desired replica count is more than the maximum replica count',
      }
    : {
        status: 'False',
        reason: 'DesiredWithinRange',
        message: 'the desired count is within the acceptable range',
      };
  return {
    ...hpa,
    status: {
      observedGeneration: 1,
      lastScaleTime: scaledAt,
      currentReplicas: replicas,
      desiredReplicas: replicas,
      currentMetrics,
      conditions: [
        {
          type: 'AbleToScale',
          status: 'True',
          reason: 'ReadyForNewScale',
          message: 'recommended size matches current size',
          lastTransitionTime: scaledAt,
        },
        {
          type: 'ScalingActive',
          status: 'True',
          reason: 'ValidMetricFound',
          message:
            'the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)',
          lastTransitionTime: scaledAt,
        },
        {
          type: 'ScalingLimited',
          ...scalingLimited,
          lastTransitionTime: scaledAt,
        },
      ],
    },
  };
}

/**
 * An autoscaler whose Deployment has no running replica yet: it holds the
 * replica count, and cannot compute one until the metrics API has a figure.
 */
function withoutMetrics(
  hpa: KubernetesObject,
  replicas: number,
  behaviour: ScenarioBehaviour,
  now: Date,
): KubernetesObject {
  const since = timestampAgo(now, behaviour.deployedSecondsAgo - 5);
  return {
    ...hpa,
    status: {
      currentReplicas: replicas,
      desiredReplicas: replicas,
      currentMetrics: [],
      conditions: [
        {
          type: 'AbleToScale',
          status: 'True',
          reason: 'SucceededGetScale',
          message:
            "the HPA controller was able to get the target's current scale",
          lastTransitionTime: since,
        },
        {
          type: 'ScalingActive',
          status: 'False',
          reason: 'FailedGetResourceMetric',
          message:
            'the HPA was unable to compute the replica count: failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API',
          lastTransitionTime: since,
        },
      ],
    },
  };
}

/** An autoscaler whose target does not exist, as its controller reports it. */
export function synthesiseOrphanAutoscalerStatus(
  hpa: KubernetesObject,
  now: Date,
): KubernetesObject {
  const { scaleTargetRef } = horizontalPodAutoscalerSpecOf(hpa);
  const since = timestampAgo(now, DEPLOYED_SECONDS_AGO);
  return {
    ...hpa,
    status: {
      currentReplicas: 0,
      desiredReplicas: 0,
      conditions: [
        {
          type: 'AbleToScale',
          status: 'False',
          reason: 'FailedGetScale',
          message: `the HPA controller was unable to get the target's current scale: ${scaleTargetRef.kind.toLowerCase()}s "${
            scaleTargetRef.name
          }" not found`,
          lastTransitionTime: since,
        },
      ],
    },
  };
}

function sumOfRequests(
  spec: DeploymentSpec,
  resourceName: string,
): number | undefined {
  const requests = spec.template.spec.containers.map(container =>
    parseQuantity(container.resources?.requests?.[resourceName]),
  );
  if (requests.some(request => request === undefined)) {
    return undefined;
  }
  return requests.reduce<number>((sum, request) => sum + request!, 0);
}
