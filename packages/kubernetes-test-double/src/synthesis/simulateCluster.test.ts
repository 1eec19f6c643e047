import fs from 'node:fs';
import path from 'node:path';
import { parseManifests } from '../manifests';
import { DeploymentScenario, KubernetesObject } from '../types';
import { simulateCluster } from './simulateCluster';

const MANIFESTS = parseManifests(
  fs.readFileSync(
    path.join(__dirname, '../__fixtures__/rendered-manifests.yaml'),
    'utf8',
  ),
);
const NOW = new Date('2026-01-15T12:00:00Z');
const NAME = 'churn-model';

function simulate(
  scenario?: DeploymentScenario,
  manifests: KubernetesObject[] = MANIFESTS,
) {
  const objects = simulateCluster({
    manifests,
    scenarios: new Map(scenario ? [[NAME, scenario]] : []),
    now: NOW,
    resourceVersion: '7',
  });
  const ofKind = (kind: string) => objects.filter(o => o.kind === kind);
  const one = (kind: string) => {
    const found = ofKind(kind);
    expect(found).toHaveLength(1);
    return found[0] as any;
  };
  return {
    objects,
    deployment: one('Deployment'),
    replicaSet: one('ReplicaSet'),
    autoscaler: one('HorizontalPodAutoscaler'),
    pods: ofKind('Pod') as any[],
    events: ofKind('Event') as any[],
    podMetrics: ofKind('PodMetrics') as any[],
  };
}

function condition(object: any, type: string) {
  return object.status.conditions.find((c: any) => c.type === type);
}

function mainContainer(pod: any) {
  return pod.status.containerStatuses[0];
}

describe('simulateCluster', () => {
  it('keeps every manifest object and adds server-set metadata', () => {
    const { objects } = simulate();
    for (const manifest of MANIFESTS) {
      const stored = objects.find(
        o =>
          o.kind === manifest.kind &&
          o.metadata.name === manifest.metadata.name,
      )!;
      expect(stored.metadata).toMatchObject({
        ...manifest.metadata,
        uid: expect.stringMatching(
          /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/,
        ),
        resourceVersion: '7',
        creationTimestamp: '2026-01-15T09:00:00Z',
      });
    }
    expect(objects.find(o => o.kind === 'Namespace')!.status).toEqual({
      phase: 'Active',
    });
  });

  it('is deterministic', () => {
    expect(simulate('crashloop').objects).toEqual(
      simulate('crashloop').objects,
    );
  });

  it('does not modify the manifests', () => {
    const before = structuredClone(MANIFESTS);
    simulate('hpa-max');
    expect(MANIFESTS).toEqual(before);
  });

  describe('healthy (the default)', () => {
    const { deployment, replicaSet, autoscaler, pods, events, podMetrics } =
      simulate();

    it('scales the Deployment, which sets no replicas, to the autoscaler minimum', () => {
      expect(autoscaler.spec.minReplicas).toBe(2);
      expect(deployment.spec.replicas).toBe(2);
      expect(pods).toHaveLength(2);
    });

    it('reports every replica ready and the rollout complete', () => {
      expect(deployment.status).toMatchObject({
        observedGeneration: 1,
        replicas: 2,
        updatedReplicas: 2,
        readyReplicas: 2,
        availableReplicas: 2,
      });
      expect(deployment.status.unavailableReplicas).toBeUndefined();
      expect(condition(deployment, 'Available')).toMatchObject({
        status: 'True',
        reason: 'MinimumReplicasAvailable',
      });
      expect(condition(deployment, 'Progressing')).toMatchObject({
        status: 'True',
        reason: 'NewReplicaSetAvailable',
        message: `ReplicaSet "${replicaSet.metadata.name}" has successfully progressed.`,
      });
    });

    it('creates a ReplicaSet owned by the Deployment, with the pod-template-hash', () => {
      const hash = replicaSet.metadata.labels['pod-template-hash'];
      expect(hash).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{10}$/);
      expect(replicaSet.metadata.name).toBe(`${NAME}-${hash}`);
      expect(replicaSet.metadata.ownerReferences).toEqual([
        expect.objectContaining({
          kind: 'Deployment',
          name: NAME,
          uid: deployment.metadata.uid,
          controller: true,
        }),
      ]);
      expect(replicaSet.spec.selector.matchLabels).toEqual({
        ...deployment.spec.selector.matchLabels,
        'pod-template-hash': hash,
      });
      expect(replicaSet.status).toMatchObject({
        replicas: 2,
        readyReplicas: 2,
      });
    });

    it('creates Pods with the template labels, owned by the ReplicaSet', () => {
      for (const pod of pods) {
        expect(pod.metadata.name).toMatch(
          new RegExp(
            `^${replicaSet.metadata.name}-[bcdfghjklmnpqrstvwxz2456789]{5}$`,
          ),
        );
        expect(pod.metadata.labels).toEqual(
          replicaSet.spec.template.metadata.labels,
        );
        expect(pod.metadata.labels['backstage.io/kubernetes-id']).toBe(NAME);
        expect(pod.metadata.ownerReferences[0]).toMatchObject({
          kind: 'ReplicaSet',
          uid: replicaSet.metadata.uid,
        });
        expect(pod.status.phase).toBe('Running');
        expect(pod.status.qosClass).toBe('Burstable');
        expect(condition(pod, 'Ready').status).toBe('True');
        const image = deployment.spec.template.spec.containers[0].image;
        expect(mainContainer(pod)).toMatchObject({
          name: 'server',
          image,
          imageID: `${image.replace(/:[^:/]+$/, '')}@sha256:${
            mainContainer(pod).imageID.split('@sha256:')[1]
          }`,
          ready: true,
          started: true,
          restartCount: 0,
          state: { running: { startedAt: expect.any(String) } },
        });
        expect(mainContainer(pod).imageID).toMatch(/@sha256:[0-9a-f]{64}$/);
      }
      expect(new Set(pods.map(p => p.metadata.name)).size).toBe(2);
    });

    it('reports the autoscaler below its CPU target', () => {
      expect(autoscaler.status).toMatchObject({
        currentReplicas: 2,
        desiredReplicas: 2,
        currentMetrics: [
          {
            type: 'Resource',
            resource: {
              name: 'cpu',
              current: { averageUtilization: 42, averageValue: '105m' },
            },
          },
        ],
      });
      expect(condition(autoscaler, 'ScalingLimited')).toMatchObject({
        status: 'False',
        reason: 'DesiredWithinRange',
      });
    });

    it('records scheduling and start events, and pod metrics', () => {
      for (const pod of pods) {
        const reasons = events
          .filter(e => e.involvedObject.name === pod.metadata.name)
          .map(e => e.reason);
        expect(reasons).toEqual(['Scheduled', 'Pulled', 'Created', 'Started']);
      }
      expect(podMetrics.map(m => m.metadata.name)).toEqual(
        pods.map(p => p.metadata.name),
      );
      expect(podMetrics[0].containers).toEqual([
        { name: 'server', usage: { cpu: '105m', memory: '314573Ki' } },
      ]);
    });
  });

  it('stalled: the rollout exceeded its deadline and a replica is not ready', () => {
    const { deployment, pods, events } = simulate('stalled');
    expect(condition(deployment, 'Progressing')).toMatchObject({
      status: 'False',
      reason: 'ProgressDeadlineExceeded',
    });
    // maxUnavailable is 0 in the template, so one unready replica is below minimum availability.
    expect(condition(deployment, 'Available')).toMatchObject({
      status: 'False',
      reason: 'MinimumReplicasUnavailable',
    });
    expect(deployment.status).toMatchObject({
      replicas: 2,
      readyReplicas: 1,
      unavailableReplicas: 1,
    });
    const unready = pods.filter(pod => !mainContainer(pod).ready);
    expect(unready).toHaveLength(1);
    expect(mainContainer(unready[0]).state.running).toBeDefined();
    expect(condition(unready[0], 'Ready')).toMatchObject({
      status: 'False',
      reason: 'ContainersNotReady',
    });
    expect(events).toContainEqual(
      expect.objectContaining({
        reason: 'Unhealthy',
        involvedObject: expect.objectContaining({
          name: unready[0].metadata.name,
        }),
      }),
    );
  });

  it('crashloop: one replica waits in CrashLoopBackOff after crashing', () => {
    const { deployment, pods, events, podMetrics } = simulate('crashloop');
    const crashing = pods.filter(
      pod => mainContainer(pod).state.waiting?.reason === 'CrashLoopBackOff',
    );
    expect(crashing).toHaveLength(1);
    expect(mainContainer(crashing[0])).toMatchObject({
      ready: false,
      restartCount: 6,
      lastState: { terminated: { reason: 'Error', exitCode: 1 } },
    });
    expect(crashing[0].status.phase).toBe('Running');
    expect(deployment.status).toMatchObject({
      readyReplicas: 1,
      unavailableReplicas: 1,
    });
    expect(condition(deployment, 'Progressing')).toMatchObject({
      status: 'True',
      reason: 'ReplicaSetUpdated',
    });
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'Warning',
        reason: 'BackOff',
        involvedObject: expect.objectContaining({
          name: crashing[0].metadata.name,
        }),
      }),
    );
    expect(podMetrics.map(m => m.metadata.name)).not.toContain(
      crashing[0].metadata.name,
    );
  });

  it('imagepull: the image cannot be pulled', () => {
    const { deployment, pods } = simulate('imagepull');
    expect(pods.map(pod => mainContainer(pod).state.waiting?.reason)).toEqual([
      'ErrImagePull',
      'ImagePullBackOff',
    ]);
    for (const pod of pods) {
      expect(pod.status.phase).toBe('Pending');
      expect(mainContainer(pod)).toMatchObject({
        imageID: '',
        ready: false,
        restartCount: 0,
      });
      expect(mainContainer(pod).containerID).toBeUndefined();
    }
    expect(deployment.status).toMatchObject({
      readyReplicas: 0,
      unavailableReplicas: 2,
    });
  });

  it('oomkilled: one replica was restarted after running out of memory', () => {
    const { deployment, pods } = simulate('oomkilled');
    const restarted = pods.filter(
      pod => mainContainer(pod).lastState.terminated?.reason === 'OOMKilled',
    );
    expect(restarted).toHaveLength(1);
    expect(mainContainer(restarted[0])).toMatchObject({
      ready: true,
      restartCount: 2,
      state: { running: expect.any(Object) },
      lastState: { terminated: { exitCode: 137 } },
    });
    expect(condition(deployment, 'Available').status).toBe('True');
  });

  it('first-rollout: applied 90 s ago, every container still being created', () => {
    const { deployment, replicaSet, autoscaler, pods, events, podMetrics } =
      simulate('first-rollout');
    const secondsBefore = (timestamp: string) =>
      (NOW.getTime() - Date.parse(timestamp)) / 1000;
    expect(pods).toHaveLength(2);
    for (const pod of pods) {
      expect(pod.status.phase).toBe('Pending');
      expect(mainContainer(pod)).toEqual(
        expect.objectContaining({
          ready: false,
          started: false,
          restartCount: 0,
          imageID: '',
          state: { waiting: { reason: 'ContainerCreating' } },
        }),
      );
      expect(secondsBefore(pod.status.startTime)).toBeLessThan(90);
    }
    expect(secondsBefore(replicaSet.metadata.creationTimestamp)).toBe(90);
    expect(deployment.status).toMatchObject({
      replicas: 2,
      updatedReplicas: 2,
      readyReplicas: 0,
      availableReplicas: 0,
      unavailableReplicas: 2,
    });
    expect(condition(deployment, 'Available')).toMatchObject({
      status: 'False',
      reason: 'MinimumReplicasUnavailable',
    });
    expect(condition(deployment, 'Progressing')).toMatchObject({
      status: 'True',
      reason: 'ReplicaSetUpdated',
    });
    expect(podMetrics).toEqual([]);
    // No replica runs, so the autoscaler has no metric to scale by.
    expect(autoscaler.status).toMatchObject({
      currentReplicas: 2,
      desiredReplicas: 2,
      currentMetrics: [],
    });
    expect(condition(autoscaler, 'ScalingActive')).toMatchObject({
      status: 'False',
      reason: 'FailedGetResourceMetric',
    });
    // The kubelet is still pulling: no container was created or started.
    const kubeletReasons = events
      .filter(event => event.source.component === 'kubelet')
      .map(event => event.reason);
    expect(new Set(kubeletReasons)).toEqual(new Set(['Pulling']));
    for (const event of events) {
      expect(secondsBefore(event.lastTimestamp)).toBeLessThanOrEqual(90);
    }
  });

  it('hpa-max: the autoscaler runs its maximum and wants more', () => {
    const { deployment, autoscaler, pods, events } = simulate('hpa-max');
    expect(autoscaler.spec.maxReplicas).toBe(6);
    expect(deployment.spec.replicas).toBe(6);
    expect(pods).toHaveLength(6);
    expect(autoscaler.status).toMatchObject({
      currentReplicas: 6,
      desiredReplicas: 6,
      currentMetrics: [
        { resource: { name: 'cpu', current: { averageUtilization: 135 } } },
      ],
    });
    expect(condition(autoscaler, 'ScalingLimited')).toMatchObject({
      status: 'True',
      reason: 'TooManyReplicas',
    });
    expect(events).toContainEqual(
      expect.objectContaining({ reason: 'SuccessfulRescale' }),
    );
  });

  it('uses spec.replicas when no autoscaler scales the Deployment', () => {
    const withoutAutoscaler = MANIFESTS.filter(
      o => o.kind !== 'HorizontalPodAutoscaler',
    ).map(o =>
      o.kind === 'Deployment'
        ? { ...o, spec: { ...(o.spec as object), replicas: 3 } }
        : o,
    );
    const objects = simulateCluster({
      manifests: withoutAutoscaler,
      scenarios: new Map(),
      now: NOW,
      resourceVersion: '1',
    });
    expect(objects.filter(o => o.kind === 'Pod')).toHaveLength(3);
    expect(() =>
      simulateCluster({
        manifests: withoutAutoscaler,
        scenarios: new Map([[NAME, 'hpa-max']]),
        now: NOW,
        resourceVersion: '1',
      }),
    ).toThrow(/hpa-max needs a HorizontalPodAutoscaler/);
  });

  it('refuses a scenario for a Deployment the manifests do not have', () => {
    expect(() =>
      simulateCluster({
        manifests: MANIFESTS,
        scenarios: new Map([['churn-modle', 'crashloop']]),
        now: NOW,
        resourceVersion: '1',
      }),
    ).toThrow(
      'a scenario is set for Deployment "churn-modle", but the manifests only have Deployments [churn-model]',
    );
  });
});
