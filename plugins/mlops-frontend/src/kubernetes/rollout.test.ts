import { ObjectsByEntityResponse } from '@backstage/plugin-kubernetes-common';
import healthy from '../__fixtures__/kubernetes-healthy.json';
import firstRollout from '../__fixtures__/kubernetes-first-rollout.json';
import stalled from '../__fixtures__/kubernetes-rollout-stalled.json';
import crashLoop from '../__fixtures__/kubernetes-crashloop.json';
import hpaAtMax from '../__fixtures__/kubernetes-hpa-at-max.json';
import otherClustersForbidden from '../__fixtures__/kubernetes-other-clusters-forbidden.json';
import {
  parseImageReference,
  problemLabel,
  summarizeRollout,
  whereNotFound,
} from './rollout';

const asResponse = (fixture: unknown) => fixture as ObjectsByEntityResponse;

/** The response for one cluster holding these objects. */
function clusterWith(resources: Array<{ type: string; resources: unknown[] }>) {
  return asResponse({
    items: [
      { cluster: { name: 'dev' }, errors: [], podMetrics: [], resources },
    ],
  });
}

/** Deployment `m` of namespace `ns`, its pods labelled `app: m`, with this status. */
function deploymentM(
  replicas: number,
  status: object,
  containers: object[] = [{ name: 'model-server' }],
) {
  return {
    metadata: { name: 'm', namespace: 'ns', generation: 1 },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'm' } },
      template: { spec: { containers } },
    },
    status,
  };
}

describe('summarizeRollout', () => {
  it('summarizes a completed rollout with image digest and autoscaler', () => {
    const { deployments, clusterProblems } = summarizeRollout(
      asResponse(healthy),
    );
    expect(clusterProblems).toEqual([]);
    expect(deployments).toEqual([
      expect.objectContaining({
        cluster: 'EKS prod (eu-west-1)',
        clusterName: 'eks-prod-eu-west-1',
        namespace: 'ml-churn',
        name: 'churn-model',
        desiredReplicas: 3,
        readyReplicas: 3,
        updatedReplicas: 3,
        state: 'complete',
        restarts: 0,
        problems: [],
        image: {
          repository:
            '123456789012.dkr.ecr.eu-west-1.amazonaws.com/churn-model',
          tag: '1.4.2',
          digest:
            'sha256:9f2a41c7e3b8d05a6c1e7f3b9d2a8c4e6f0b1d3a5c7e9f2b4d6a8c0e1f3a5b7d',
        },
        autoscaler: {
          name: 'churn-model',
          minReplicas: 2,
          maxReplicas: 6,
          currentReplicas: 3,
          desiredReplicas: 3,
          cpuTargetPercent: 70,
          cpuCurrentPercent: 41,
          atMaximum: false,
        },
      }),
    ]);
  });

  it('tells since when the first of its ready pods has been ready', () => {
    const [deployment] = summarizeRollout(asResponse(healthy)).deployments;
    expect(deployment.readySince).toEqual(new Date('2026-11-20T08:58:52Z'));

    const later = structuredClone(healthy);
    const [first, second, third] = later.items[0].resources[1].resources.map(
      pod => pod.status.conditions.find(c => c.type === 'Ready')!,
    );
    first.lastTransitionTime = '2026-11-20T09:05:00Z';
    second.lastTransitionTime = '2026-11-20T09:01:30Z';
    Object.assign(third, {
      status: 'False',
      lastTransitionTime: '2026-11-20T08:50:00Z',
    });
    expect(
      summarizeRollout(asResponse(later)).deployments[0].readySince,
    ).toEqual(new Date('2026-11-20T09:01:30Z'));

    const [starting] = summarizeRollout(asResponse(firstRollout)).deployments;
    expect(starting.readySince).toBeUndefined();
  });

  it('reports a stalled rollout and the pull error of its new pod', () => {
    const [deployment] = summarizeRollout(asResponse(stalled)).deployments;
    expect(deployment.state).toBe('stalled');
    expect(deployment.stateMessage).toMatch(/timed out progressing/);
    expect(deployment.image).toEqual({
      repository: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/churn-model',
      tag: '1.5.0',
    });
    expect(
      deployment.problems.map(p => [p.sourceRef.name, problemLabel(p)]),
    ).toEqual([
      ['churn-model-5f8b9c7d4e-r2d2v', 'ImagePullBackOff'],
      ['churn-model', 'Deployment condition'],
    ]);
    expect(deployment.problems[1].message).toMatch(/timed out progressing/);
  });

  it('reports CrashLoopBackOff, the OOM kill behind it and the restarts', () => {
    const [deployment] = summarizeRollout(asResponse(crashLoop)).deployments;
    expect(deployment.readyReplicas).toBe(1);
    expect(deployment.restarts).toBe(12);
    expect(deployment.state).toBe('progressing');
    expect(
      deployment.problems.map(p => `${p.sourceRef.name} ${problemLabel(p)}`),
    ).toEqual([
      'churn-model-7c9d5b8f6d-m4q9z CrashLoopBackOff',
      'churn-model-7c9d5b8f6d-m4q9z OOMKilled',
      'churn-model-7c9d5b8f6d-c8w3n CrashLoopBackOff',
      'churn-model-7c9d5b8f6d-c8w3n OOMKilled',
      'churn-model Deployment condition',
    ]);
  });

  it('flags an autoscaler running at its maximum', () => {
    const [deployment] = summarizeRollout(asResponse(hpaAtMax)).deployments;
    expect(deployment.autoscaler).toMatchObject({
      currentReplicas: 5,
      maxReplicas: 5,
      cpuCurrentPercent: 96,
      atMaximum: true,
    });
  });

  it('reads the CPU target of autoscaling/v1 objects', () => {
    const response = clusterWith([
      {
        type: 'deployments',
        resources: [
          deploymentM(
            1,
            {
              observedGeneration: 1,
              replicas: 1,
              updatedReplicas: 1,
              availableReplicas: 1,
            },
            [],
          ),
        ],
      },
      {
        type: 'horizontalpodautoscalers',
        resources: [
          {
            metadata: { name: 'm', namespace: 'ns' },
            spec: {
              minReplicas: 1,
              maxReplicas: 3,
              scaleTargetRef: { kind: 'Deployment', name: 'm' },
              targetCPUUtilizationPercentage: 50,
            },
            status: {
              currentReplicas: 1,
              desiredReplicas: 1,
              currentCPUUtilizationPercentage: 12,
            },
          },
        ],
      },
    ]);
    const [deployment] = summarizeRollout(response).deployments;
    expect(deployment.state).toBe('complete');
    expect(deployment.autoscaler).toMatchObject({
      cpuTargetPercent: 50,
      cpuCurrentPercent: 12,
    });
  });

  it('reports pods the scheduler cannot place or the kubelet evicted', () => {
    const pod = (name: string, status: object) => ({
      metadata: { name, namespace: 'ns', labels: { app: 'm' } },
      spec: { containers: [{ name: 'model-server' }] },
      status,
    });
    const response = clusterWith([
      {
        type: 'deployments',
        resources: [
          {
            metadata: { name: 'm', namespace: 'ns' },
            spec: {
              selector: { matchLabels: { app: 'm' } },
              template: {
                spec: { containers: [{ name: 'model-server' }] },
              },
            },
            status: {},
          },
        ],
      },
      {
        type: 'pods',
        resources: [
          pod('m-1', {
            phase: 'Pending',
            conditions: [
              {
                type: 'PodScheduled',
                status: 'False',
                reason: 'Unschedulable',
                message: '0/2 nodes are available: 2 Insufficient cpu.',
              },
            ],
          }),
          pod('m-2', {
            phase: 'Failed',
            reason: 'Evicted',
            message: 'The node was low on resource: memory.',
          }),
        ],
      },
    ]);
    const [deployment] = summarizeRollout(response).deployments;
    expect(
      deployment.problems.map(p => [
        p.sourceRef.name,
        problemLabel(p),
        p.message,
      ]),
    ).toEqual([
      ['m-1', 'Unschedulable', '0/2 nodes are available: 2 Insufficient cpu.'],
      ['m-2', 'Evicted', 'The node was low on resource: memory.'],
    ]);
  });

  it('reports a Deployment whose pods cannot be created', () => {
    const response = clusterWith([
      {
        type: 'deployments',
        resources: [
          deploymentM(2, {
            observedGeneration: 1,
            conditions: [
              {
                type: 'Progressing',
                status: 'True',
                reason: 'NewReplicaSetCreated',
              },
              {
                type: 'ReplicaFailure',
                status: 'True',
                reason: 'FailedCreate',
                message: 'pods "m-1" is forbidden: exceeded quota: ns',
              },
            ],
          }),
        ],
      },
      { type: 'pods', resources: [] },
    ]);
    const [deployment] = summarizeRollout(response).deployments;
    expect(deployment.state).toBe('progressing');
    expect(deployment.problems.map(p => [problemLabel(p), p.message])).toEqual([
      ['Pods not created', 'pods "m-1" is forbidden: exceeded quota: ns'],
    ]);
  });

  it('leaves out Available=False while a rollout is under way, not once it stalled or finished', () => {
    const availability = 'Deployment does not have minimum availability.';
    const problemsWhile = (progressing: object) =>
      summarizeRollout(
        clusterWith([
          {
            type: 'deployments',
            resources: [
              deploymentM(2, {
                observedGeneration: 1,
                replicas: 2,
                updatedReplicas: 2,
                availableReplicas: 0,
                conditions: [
                  {
                    type: 'Available',
                    status: 'False',
                    reason: 'MinimumReplicasUnavailable',
                    message: availability,
                  },
                  { type: 'Progressing', ...progressing },
                ],
              }),
            ],
          },
          { type: 'pods', resources: [] },
        ]),
      )
        .deployments[0].problems.map(p => p.message)
        .sort();
    expect(
      problemsWhile({
        status: 'True',
        reason: 'ReplicaSetUpdated',
        message: 'ReplicaSet "m-1" is progressing.',
      }),
    ).toEqual([]);
    expect(
      problemsWhile({
        status: 'False',
        reason: 'ProgressDeadlineExceeded',
        message: 'ReplicaSet "m-1" has timed out progressing.',
      }),
    ).toEqual([availability, 'ReplicaSet "m-1" has timed out progressing.']);
    expect(
      problemsWhile({
        status: 'True',
        reason: 'NewReplicaSetAvailable',
        message: 'ReplicaSet "m-1" has successfully progressed.',
      }),
    ).toEqual([availability]);
    expect(
      summarizeRollout(asResponse(firstRollout)).deployments[0].problems,
    ).toEqual([]);
  });

  it('reports clusters that could not be read', () => {
    const { clusterProblems } = summarizeRollout(
      asResponse({
        items: [
          {
            cluster: { name: 'eks-prod', title: 'EKS prod' },
            resources: [],
            podMetrics: [],
            errors: [
              {
                errorType: 'UNAUTHORIZED_ERROR',
                statusCode: 401,
                resourcePath: '/apis/apps/v1/deployments',
              },
              { errorType: 'FETCH_ERROR', message: 'socket hang up' },
            ],
          },
        ],
      }),
    );
    // Shown by title, matched by name.
    const where = { cluster: 'EKS prod', clusterName: 'eks-prod' };
    expect(clusterProblems).toEqual([
      {
        ...where,
        message: 'UNAUTHORIZED_ERROR (HTTP 401) for /apis/apps/v1/deployments',
      },
      { ...where, message: 'socket hang up' },
    ]);
  });
});

describe('summarizeRollout with the clusters of the entity', () => {
  // The multiTenant service locator asks every cluster for the entity's
  // namespace; other services' clusters refuse it with 403.
  const foreign = otherClustersForbidden.items;
  const [healthyCluster] = healthy.items;

  /** A cluster refusing the entity's namespace, as the foreign ones do. */
  function forbiddenCluster(name: string) {
    return { ...foreign[0], cluster: { name } };
  }

  it('leaves out the errors of other clusters', () => {
    const summary = summarizeRollout(
      asResponse(otherClustersForbidden),
      new Set(['churn-model-prod']),
    );
    expect(summary.deployments).toEqual([]);
    expect(summary.clusterProblems).toEqual([]);
    expect(summary.ownClusters).toEqual(['churn-model-prod']);
    expect(summary.ignoredClusters).toEqual([
      'fraud-score-prod',
      'demand-forecast-prod',
    ]);
    expect(whereNotFound(summary)).toBe('in any of its clusters');
  });

  it('reports what a cluster of the entity refuses', () => {
    const summary = summarizeRollout(
      asResponse({
        items: [...foreign, forbiddenCluster('churn-model-prod')],
      }),
      new Set(['churn-model-prod', 'churn-model-staging']),
    );
    expect(summary.clusterProblems).toEqual(
      [
        '/apis/apps/v1/namespaces/ml-churn/deployments',
        '/api/v1/namespaces/ml-churn/pods',
        '/apis/autoscaling/v2/namespaces/ml-churn/horizontalpodautoscalers',
        '/api/v1/namespaces/ml-churn/services',
      ].map(path => ({
        cluster: 'churn-model-prod',
        clusterName: 'churn-model-prod',
        message: `UNKNOWN_ERROR (HTTP 403) for ${path}`,
      })),
    );
    expect(summary.ownClusters).toEqual([
      'churn-model-prod',
      'churn-model-staging',
    ]);
    expect(summary.ignoredClusters).toEqual([
      'fraud-score-prod',
      'demand-forecast-prod',
    ]);
  });

  it('counts a cluster holding Deployments of the entity even when the entity does not name it', () => {
    const summary = summarizeRollout(
      asResponse({ items: [...foreign, healthyCluster] }),
      new Set(['churn-model-prod']),
    );
    expect(summary.deployments).toEqual([
      expect.objectContaining({
        cluster: 'EKS prod (eu-west-1)',
        name: 'churn-model',
        readyReplicas: 3,
      }),
    ]);
    expect(summary.clusterProblems).toEqual([]);
    expect(summary.ignoredClusters).toEqual([
      'fraud-score-prod',
      'demand-forecast-prod',
    ]);
  });

  it('counts every cluster when the entity names none', () => {
    const summary = summarizeRollout(asResponse(otherClustersForbidden));
    expect(summary.clusterProblems.map(p => p.cluster)).toEqual([
      ...Array(4).fill('fraud-score-prod'),
      ...Array(4).fill('demand-forecast-prod'),
    ]);
    expect(summary.ownClusters).toBeUndefined();
    expect(summary.ignoredClusters).toEqual([]);
    expect(whereNotFound(summary)).toBe('in any cluster');
  });
});

describe('parseImageReference', () => {
  it.each([
    ['nginx', { repository: 'nginx' }],
    [
      'localhost:5000/model:1.0',
      { repository: 'localhost:5000/model', tag: '1.0' },
    ],
    [
      'repo/model:2.1@sha256:abc',
      { repository: 'repo/model', tag: '2.1', digest: 'sha256:abc' },
    ],
    [
      'repo/model@sha256:abc',
      { repository: 'repo/model', digest: 'sha256:abc' },
    ],
  ])('parses %s', (image, expected) => {
    expect(parseImageReference(image)).toEqual(expected);
  });
});
