import { ObjectsByEntityResponse } from '@backstage/plugin-kubernetes-common';
import {
  mlServiceEntity,
  PROD_AWAITING_APPROVAL,
  PROD_FIRST_ROLLOUT,
} from '../__testUtils__/fakes';
import crashLoop from '../__fixtures__/kubernetes-crashloop.json';
import {
  describePlacement,
  environmentPlacements,
  environmentRollout,
} from './environmentPlacements';
import { readRollout } from './readRollout';

describe('environmentPlacements', () => {
  it("places each environment by its Kubernetes target, the primary one's included", () => {
    const entity = mlServiceEntity({
      'mlops/kubernetes-service': 'ml-prod/ml-churn/churn-model:http',
      'mlops/inference-environment': 'prod',
      'mlops/kubernetes-service-dev': 'ml-dev/ml-churn/churn-model:http',
      'mlops/kubernetes-service-staging': 'ml-staging/churn-model',
      'backstage.io/kubernetes-namespace': 'ignored-for-a-target',
    });
    expect(Object.fromEntries(environmentPlacements(entity))).toEqual({
      prod: { cluster: 'ml-prod', namespace: 'ml-churn' },
      dev: { cluster: 'ml-dev', namespace: 'ml-churn' },
      staging: { namespace: 'ml-staging' },
    });
  });

  it('places a primary URL endpoint by the Kubernetes cluster annotation, else mlops/eks-cluster', () => {
    const annotations = {
      'mlops/inference-url': 'https://churn-model.ml.example.com',
      'mlops/inference-url-dev': 'https://dev.churn-model.ml.example.com',
      'mlops/eks-cluster': 'eks-prod',
      'backstage.io/kubernetes-namespace': 'ml-churn',
    };
    expect(
      Object.fromEntries(environmentPlacements(mlServiceEntity(annotations))),
    ).toEqual({ default: { cluster: 'eks-prod', namespace: 'ml-churn' } });
    expect(
      environmentPlacements(
        mlServiceEntity({
          ...annotations,
          'backstage.io/kubernetes-cluster': 'prod',
        }),
      ).get('default'),
    ).toEqual({ cluster: 'prod', namespace: 'ml-churn' });
  });

  it('places nothing it cannot tell: no namespace, an invalid target, or the primary environment named again', () => {
    const entity = mlServiceEntity({
      'mlops/inference-url': 'https://churn-model.ml.example.com',
      'mlops/inference-environment': 'prod',
      'mlops/kubernetes-service-prod': 'ml-other/ml-churn/churn-model:http',
      'mlops/kubernetes-service-dev': 'not a target',
      'mlops/eks-cluster': 'eks-prod',
    });
    expect(environmentPlacements(entity).size).toBe(0);
  });
});

describe('describePlacement', () => {
  it('names the namespace and the cluster', () => {
    expect(describePlacement({ cluster: 'ml-prod', namespace: 'ml' })).toBe(
      'in namespace ml of cluster ml-prod',
    );
    expect(describePlacement({ namespace: 'ml' })).toBe(
      'in namespace ml of any cluster',
    );
  });
});

describe('environmentRollout', () => {
  const { entity, clusters } = PROD_FIRST_ROLLOUT;

  /** The first rollout's answer, to change: objects by cluster and type. */
  type Answer = {
    items: Array<{
      resources: Array<{
        resources: Array<{
          status: { conditions: Array<Record<string, string>> };
        }>;
      }>;
    }>;
  };
  const firstRollout = () =>
    structuredClone(PROD_FIRST_ROLLOUT.kubernetes) as unknown as Answer;

  function rolloutOf(kubernetes: unknown, environment = 'prod') {
    const { summary, placements } = readRollout(
      entity,
      kubernetes as ObjectsByEntityResponse,
      clusters,
    );
    return environmentRollout(summary, placements, environment);
  }

  /** Prod's cluster answering with `objects` in place of the first rollout. */
  function prodAnswering(objects: { items: unknown[] }) {
    const [dev, prod] = PROD_FIRST_ROLLOUT.kubernetes.items;
    return {
      items: [dev, { ...(objects.items[0] as object), cluster: prod.cluster }],
    };
  }

  it("gives prod's Deployment while its first replicas are being created, and once they run", () => {
    expect(rolloutOf(PROD_FIRST_ROLLOUT.kubernetes)).toMatchObject({
      clusterName: 'churn-model-prod',
      name: 'churn-model',
      state: 'progressing',
      stateMessage: '0 of 2 updated replicas available',
      availableReplicas: 0,
    });
    // The healthy Deployment dev runs, in prod's cluster.
    expect(
      rolloutOf(prodAnswering(PROD_AWAITING_APPROVAL.kubernetes)),
    ).toMatchObject({
      state: 'complete',
      availableReplicas: 3,
    });
  });

  it('gives nothing for an environment it cannot place or not deployed', () => {
    expect(rolloutOf(PROD_FIRST_ROLLOUT.kubernetes, 'dev')).toBeUndefined();
    expect(rolloutOf(PROD_AWAITING_APPROVAL.kubernetes)).toBeUndefined();
  });

  it('gives nothing once a pod cannot start: that is a failure, not a rollout', () => {
    expect(rolloutOf(prodAnswering(crashLoop))).toBeUndefined();
    const unschedulable = firstRollout();
    const pods = unschedulable.items[1].resources[1].resources;
    pods[0].status.conditions[3] = {
      type: 'PodScheduled',
      status: 'False',
      reason: 'Unschedulable',
      message: '0/3 nodes are available: 3 Insufficient memory.',
    };
    expect(rolloutOf(unschedulable)).toBeUndefined();
  });

  it('gives nothing while the pods cannot even be created', () => {
    const refused = firstRollout();
    const [deployment] = refused.items[1].resources[0].resources;
    deployment.status.conditions.push({
      type: 'ReplicaFailure',
      status: 'True',
      reason: 'FailedCreate',
      message:
        'pods "churn-model-5f8c7d9b4a-q4m8z" is forbidden: exceeded quota: ml-churn',
    });
    refused.items[1].resources[1].resources = [];
    expect(rolloutOf(refused)).toBeUndefined();
  });

  it('gives nothing for a rollout that finished and then lost its replicas', () => {
    const finished = firstRollout();
    const [deployment] = finished.items[1].resources[0].resources;
    const progressing = deployment.status.conditions.find(
      c => c.type === 'Progressing',
    )!;
    Object.assign(progressing, {
      reason: 'NewReplicaSetAvailable',
      message:
        'ReplicaSet "churn-model-5f8c7d9b4a" has successfully progressed.',
    });
    expect(rolloutOf(finished)).toBeUndefined();
  });
});
