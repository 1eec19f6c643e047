/*
 * The test double behind the REAL @backstage/plugin-kubernetes-backend and catalog backend, queried
 * over HTTP the way the Kubernetes frontend plugin queries them. The backend runs in a child
 * process (see __testUtils__/backendMain.ts for why not in Jest).
 */
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import {
  BACKEND_TOKEN,
  RunningBackend,
  startKubernetesBackend,
} from './__testUtils__/startKubernetesBackend';
import {
  createKubernetesTestDouble,
  KubernetesTestDouble,
} from './createKubernetesTestDouble';

jest.setTimeout(90_000);

const MANIFESTS = fs.readFileSync(
  path.join(__dirname, '__fixtures__/rendered-manifests.yaml'),
  'utf8',
);
const NAME = 'churn-model';
const NAMESPACE = 'ml-services';

/** The Component the template registers, reduced to what the Kubernetes plugin reads. */
const ENTITY = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: NAME,
    namespace: 'default',
    annotations: {
      'backstage.io/kubernetes-id': NAME,
      'backstage.io/kubernetes-namespace': NAMESPACE,
    },
  },
  spec: {
    type: 'service',
    lifecycle: 'experimental',
    owner: 'group:default/ml-team',
  },
};

interface ClusterObjects {
  cluster: { name: string };
  errors: unknown[];
  podMetrics: Array<{ pod: { metadata: { name: string } } }>;
  resources: Array<{ type: string; resources: any[] }>;
}

describe('the test double behind the real kubernetes-backend', () => {
  /** Cluster `demo`, as configured in the brief: no metrics lookup. */
  let demo: KubernetesTestDouble;
  /** Cluster `demo-metrics`: the backend also asks it for pod metrics. */
  let withMetrics: KubernetesTestDouble;
  let backend: RunningBackend;

  beforeAll(async () => {
    demo = await createKubernetesTestDouble({ manifests: MANIFESTS });
    withMetrics = await createKubernetesTestDouble({
      manifests: MANIFESTS,
      scenarios: { [NAME]: 'imagepull' },
    });
    backend = await startKubernetesBackend({
      entity: ENTITY,
      clusters: [
        { name: 'demo', url: demo.url, skipMetricsLookup: true },
        {
          name: 'demo-metrics',
          url: withMetrics.url,
          skipMetricsLookup: false,
        },
      ],
    });
  });
  afterAll(async () => {
    await backend?.stop();
    await demo?.stop();
    await withMetrics?.stop();
  });
  beforeEach(() => demo.setScenario(NAME, 'healthy'));

  /** What the Kubernetes frontend's `getObjectsByEntity` sends, and the answer for one cluster. */
  async function objectsByEntity(clusterName: string): Promise<ClusterObjects> {
    const response = await request(backend.url)
      .post(`/api/kubernetes/services/${NAME}`)
      .set('Authorization', `Bearer ${BACKEND_TOKEN}`)
      .send({ entity: ENTITY, auth: {} });
    expect(response.status).toBe(200);
    const cluster = response.body.items.find(
      (item: ClusterObjects) => item.cluster.name === clusterName,
    );
    expect(cluster).toBeDefined();
    return cluster;
  }

  function resourcesOf(objects: ClusterObjects, type: string): any[] {
    return objects.resources.find(r => r.type === type)?.resources ?? [];
  }

  function proxyGet(clusterName: string, apiPath: string) {
    return request(backend.url)
      .get(`/api/kubernetes/proxy${apiPath}`)
      .set('Authorization', `Bearer ${BACKEND_TOKEN}`)
      .set('Backstage-Kubernetes-Cluster', clusterName);
  }

  it('is asked for each default object type, in the namespace and by the kubernetes-id label', async () => {
    const before = demo.requests.length;
    await objectsByEntity('demo');
    const observed = demo.requests.slice(before);
    expect(observed.every(r => r.method === 'GET' && r.status === 200)).toBe(
      true,
    );
    const query = `?labelSelector=${encodeURIComponent(
      `backstage.io/kubernetes-id=${NAME}`,
    )}`;
    expect(observed.map(r => r.url).sort()).toEqual(
      [
        `/api/v1/namespaces/${NAMESPACE}/pods${query}`,
        `/api/v1/namespaces/${NAMESPACE}/services${query}`,
        `/api/v1/namespaces/${NAMESPACE}/configmaps${query}`,
        `/api/v1/namespaces/${NAMESPACE}/limitranges${query}`,
        `/api/v1/namespaces/${NAMESPACE}/resourcequotas${query}`,
        `/apis/apps/v1/namespaces/${NAMESPACE}/deployments${query}`,
        `/apis/apps/v1/namespaces/${NAMESPACE}/replicasets${query}`,
        `/apis/apps/v1/namespaces/${NAMESPACE}/statefulsets${query}`,
        `/apis/apps/v1/namespaces/${NAMESPACE}/daemonsets${query}`,
        `/apis/autoscaling/v2/namespaces/${NAMESPACE}/horizontalpodautoscalers${query}`,
        `/apis/batch/v1/namespaces/${NAMESPACE}/jobs${query}`,
        `/apis/batch/v1/namespaces/${NAMESPACE}/cronjobs${query}`,
        `/apis/networking.k8s.io/v1/namespaces/${NAMESPACE}/ingresses${query}`,
      ].sort(),
    );
  });

  it('returns the Deployment, its ReplicaSet, Pods and autoscaler with simulated statuses', async () => {
    const objects = await objectsByEntity('demo');
    expect(objects.errors).toEqual([]);

    const [deployment] = resourcesOf(objects, 'deployments');
    expect(deployment.metadata.name).toBe(NAME);
    expect(deployment.spec.replicas).toBe(2); // the prod overlay's autoscaler minimum
    expect(deployment.status).toMatchObject({
      replicas: 2,
      readyReplicas: 2,
      availableReplicas: 2,
      updatedReplicas: 2,
    });
    expect(deployment.status.conditions).toEqual([
      expect.objectContaining({ type: 'Available', status: 'True' }),
      expect.objectContaining({
        type: 'Progressing',
        status: 'True',
        reason: 'NewReplicaSetAvailable',
      }),
    ]);

    const [replicaSet] = resourcesOf(objects, 'replicasets');
    expect(replicaSet.metadata.ownerReferences).toEqual([
      expect.objectContaining({
        kind: 'Deployment',
        name: NAME,
        uid: deployment.metadata.uid,
      }),
    ]);

    const pods = resourcesOf(objects, 'pods');
    expect(pods).toHaveLength(2);
    for (const pod of pods) {
      expect(pod.metadata.ownerReferences).toEqual([
        expect.objectContaining({
          kind: 'ReplicaSet',
          uid: replicaSet.metadata.uid,
        }),
      ]);
      expect(pod.status.phase).toBe('Running');
      expect(pod.status.containerStatuses).toEqual([
        expect.objectContaining({
          ready: true,
          restartCount: 0,
          image: deployment.spec.template.spec.containers[0].image,
          imageID: expect.stringMatching(/@sha256:[0-9a-f]{64}$/),
        }),
      ]);
    }

    const [autoscaler] = resourcesOf(objects, 'horizontalpodautoscalers');
    expect(autoscaler.status).toMatchObject({
      currentReplicas: 2,
      desiredReplicas: 2,
      currentMetrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', current: { averageUtilization: 42 } },
        },
      ],
    });
    expect(resourcesOf(objects, 'services')).toHaveLength(1);
    expect(resourcesOf(objects, 'ingresses')).toHaveLength(1);
  });

  it('shows a crash-looping replica, with its events and previous log through the proxy', async () => {
    demo.setScenario(NAME, 'crashloop');
    const objects = await objectsByEntity('demo');

    const [deployment] = resourcesOf(objects, 'deployments');
    expect(deployment.status).toMatchObject({
      readyReplicas: 1,
      unavailableReplicas: 1,
    });
    const crashing = resourcesOf(objects, 'pods').filter(
      pod =>
        pod.status.containerStatuses[0].state.waiting?.reason ===
        'CrashLoopBackOff',
    );
    expect(crashing).toHaveLength(1);
    const [status] = crashing[0].status.containerStatuses;
    expect(status.restartCount).toBeGreaterThan(0);
    expect(status.lastState.terminated).toMatchObject({
      reason: 'Error',
      exitCode: 1,
    });

    // What the frontend's pod "help" dialog fetches for such a pod.
    const podName = crashing[0].metadata.name;
    const events = await proxyGet(
      'demo',
      `/api/v1/namespaces/${NAMESPACE}/events?fieldSelector=involvedObject.name=${podName}`,
    );
    expect(events.status).toBe(200);
    expect(events.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'Warning', reason: 'BackOff' }),
      ]),
    );
    const log = await proxyGet(
      'demo',
      `/api/v1/namespaces/${NAMESPACE}/pods/${podName}/log?container=server&previous=`,
    );
    expect(log.status).toBe(200);
    expect(log.text).toContain('[simulation]');
    expect(log.text).toContain('Application startup failed');
  });

  it('shows the autoscaler at its maximum', async () => {
    demo.setScenario(NAME, 'hpa-max');
    const objects = await objectsByEntity('demo');
    const [autoscaler] = resourcesOf(objects, 'horizontalpodautoscalers');
    expect(autoscaler.status.currentReplicas).toBe(autoscaler.spec.maxReplicas);
    expect(autoscaler.status.conditions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          type: 'ScalingLimited',
          reason: 'TooManyReplicas',
        }),
      ]),
    );
    expect(resourcesOf(objects, 'pods')).toHaveLength(
      autoscaler.spec.maxReplicas,
    );
  });

  it('answers the pod metrics lookup of a cluster without skipMetricsLookup', async () => {
    const objects = await objectsByEntity('demo-metrics');
    expect(objects.errors).toEqual([]);
    expect(
      withMetrics.requests.filter(r => r.url.includes('metrics.k8s.io')),
    ).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          url: `/apis/metrics.k8s.io/v1beta1/namespaces/${NAMESPACE}/pods?labelSelector=${encodeURIComponent(
            `backstage.io/kubernetes-id=${NAME}`,
          )}`,
          status: 200,
        }),
      ]),
    );
    const pods = resourcesOf(objects, 'pods');
    expect(
      pods
        .map(pod => pod.status.containerStatuses[0].state.waiting?.reason)
        .sort(),
    ).toEqual(['ErrImagePull', 'ImagePullBackOff']);
    expect(
      objects.podMetrics.map(metrics => metrics.pod.metadata.name),
    ).toEqual(pods.map(pod => pod.metadata.name));
  });
});
