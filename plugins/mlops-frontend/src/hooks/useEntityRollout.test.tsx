import { ReactNode } from 'react';
import { renderHook, waitFor } from '@testing-library/react';
import { Entity } from '@backstage/catalog-model';
import { TestApiProvider } from '@backstage/test-utils';
import {
  ApiPair,
  fakeKubernetesApis,
  mlServiceEntity,
} from '../__testUtils__/fakes';
import healthy from '../__fixtures__/kubernetes-healthy.json';
import otherClustersForbidden from '../__fixtures__/kubernetes-other-clusters-forbidden.json';
import {
  EntityRolloutProvider,
  useEntityRollout,
  useEnvironmentDeployment,
} from './useEntityRollout';

/** The clusters the Kubernetes plugin knows: churn-model's and two other services'. */
const CLUSTERS = [
  'churn-model-prod',
  'fraud-score-prod',
  'demand-forecast-prod',
];

/** `otherClustersForbidden` with churn-model-prod refusing too. */
const ownClusterForbidden = {
  items: [
    ...otherClustersForbidden.items,
    {
      ...otherClustersForbidden.items[0],
      cluster: { name: 'churn-model-prod' },
    },
  ],
};

/** What the template writes for a service with its own clusters. */
const templateEntity = mlServiceEntity({
  'mlops/kubernetes-service': 'churn-model-prod/ml-churn/churn-model:http',
  'mlops/model-name': 'churn-model',
  'mlops/eks-cluster': 'churn-model-prod',
  'backstage.io/kubernetes-id': 'churn-model',
  'backstage.io/kubernetes-namespace': 'ml-churn',
});

const handWrittenEntity = mlServiceEntity({
  'mlops/inference-url': 'https://churn-model.example.com',
  'backstage.io/kubernetes-id': 'churn-model',
});

function renderRollout(entity: Entity, apis: ApiPair[], environment: string) {
  const wrapper = ({ children }: { children: ReactNode }) => (
    <TestApiProvider apis={apis}>
      <EntityRolloutProvider entity={entity}>{children}</EntityRolloutProvider>
    </TestApiProvider>
  );
  return renderHook(
    () => ({
      rollout: useEntityRollout(),
      where: useEnvironmentDeployment(environment).whereNotDeployed,
    }),
    { wrapper },
  );
}

async function loaded(
  entity: Entity,
  apis: ApiPair[],
  environment = 'default',
) {
  const { result } = renderRollout(entity, apis, environment);
  await waitFor(() => expect(result.current.rollout.status).toBe('loaded'));
  const { rollout, where } = result.current;
  return { rollout, where, notDeployedYet: where !== undefined };
}

describe('useEnvironmentDeployment: where not deployed', () => {
  it('is true when only the clusters of other services refuse the namespace', async () => {
    const { notDeployedYet, rollout } = await loaded(
      templateEntity,
      fakeKubernetesApis(otherClustersForbidden, CLUSTERS),
    );
    expect(notDeployedYet).toBe(true);
    expect(rollout).toMatchObject({
      summary: {
        clusterProblems: [],
        ownClusters: ['churn-model-prod'],
        ignoredClusters: ['fraud-score-prod', 'demand-forecast-prod'],
      },
    });
  });

  it('is false when a cluster of the entity refuses the namespace', async () => {
    const { notDeployedYet, rollout } = await loaded(
      templateEntity,
      fakeKubernetesApis(ownClusterForbidden, CLUSTERS),
    );
    expect(notDeployedYet).toBe(false);
    expect(
      rollout.status === 'loaded' &&
        rollout.summary.clusterProblems.map(p => p.cluster),
    ).toEqual(Array(4).fill('churn-model-prod'));
  });

  it('finds the clusters of the entity through its dependsOn relations', async () => {
    const related: Entity = {
      ...handWrittenEntity,
      relations: [
        { type: 'dependsOn', targetRef: 'resource:default/churn-model-prod' },
      ],
    };
    const { notDeployedYet } = await loaded(
      related,
      fakeKubernetesApis(otherClustersForbidden, CLUSTERS),
    );
    expect(notDeployedYet).toBe(true);
  });

  it('counts every cluster for an entity naming none, as before', async () => {
    const { notDeployedYet, rollout } = await loaded(
      handWrittenEntity,
      fakeKubernetesApis(otherClustersForbidden, CLUSTERS),
    );
    expect(notDeployedYet).toBe(false);
    expect(rollout).toMatchObject({ summary: { ignoredClusters: [] } });
    expect(rollout).not.toHaveProperty('summary.ownClusters');
  });
});

describe('useEnvironmentDeployment: where not deployed, for each environment', () => {
  /** Objects of the fixture's Deployment, found in `cluster` only. */
  function runningIn(cluster: string) {
    return { items: [{ ...healthy.items[0], cluster: { name: cluster } }] };
  }

  async function where(
    entity: Entity,
    objects: unknown,
    clusters: string[],
    environment: string,
  ) {
    return (
      await loaded(entity, fakeKubernetesApis(objects, clusters), environment)
    ).where;
  }

  describe('a cluster per environment, reached as Kubernetes targets', () => {
    const entity = mlServiceEntity({
      'mlops/kubernetes-service': 'churn-model-prod/ml-churn/churn-model:http',
      'mlops/inference-environment': 'prod',
      'mlops/kubernetes-service-dev':
        'churn-model-dev/ml-churn/churn-model:http',
      'mlops/eks-cluster': 'churn-model-prod',
      'backstage.io/kubernetes-id': 'churn-model',
      'backstage.io/kubernetes-namespace': 'ml-churn',
    });
    const clusters = ['churn-model-dev', 'churn-model-prod'];

    it('says prod is not deployed yet while dev runs', async () => {
      const devRunning = runningIn('churn-model-dev');
      expect(await where(entity, devRunning, clusters, 'prod')).toBe(
        'in namespace ml-churn of cluster churn-model-prod',
      );
      expect(await where(entity, devRunning, clusters, 'dev')).toBeUndefined();
    });

    it('says nothing of prod while its cluster refuses the namespace', async () => {
      const prodRefuses = {
        items: [
          ...runningIn('churn-model-dev').items,
          {
            ...otherClustersForbidden.items[0],
            cluster: { name: 'churn-model-prod' },
          },
        ],
      };
      expect(
        await where(entity, prodRefuses, clusters, 'prod'),
      ).toBeUndefined();
    });

    it('says nothing of prod while the Kubernetes plugin does not know its cluster', async () => {
      expect(
        await where(
          entity,
          runningIn('churn-model-dev'),
          ['churn-model-dev'],
          'prod',
        ),
      ).toBeUndefined();
    });

    it('matches the cluster of a Deployment without case', async () => {
      expect(
        await where(
          entity,
          runningIn('Churn-Model-Prod'),
          ['churn-model-dev', 'Churn-Model-Prod'],
          'prod',
        ),
      ).toBeUndefined();
    });
  });

  it('places the primary environment of URL endpoints by its cluster and namespace annotations', async () => {
    const entity = mlServiceEntity({
      'mlops/inference-url': 'https://churn-model.ml.example.com',
      'mlops/inference-environment': 'prod',
      'mlops/inference-url-dev': 'https://dev-churn-model.ml.example.com',
      'mlops/eks-cluster': 'churn-model-prod',
      'backstage.io/kubernetes-id': 'churn-model',
      'backstage.io/kubernetes-namespace': 'ml-churn',
    });
    const clusters = ['churn-model-dev', 'churn-model-prod'];
    const devRunning = runningIn('churn-model-dev');
    expect(await where(entity, devRunning, clusters, 'prod')).toBe(
      'in namespace ml-churn of cluster churn-model-prod',
    );
    expect(await where(entity, devRunning, clusters, 'dev')).toBeUndefined();
  });

  describe('one shared cluster, a namespace per environment', () => {
    // What the template writes with clusterMode "existing": the Kubernetes
    // plugin fetches the primary environment's namespace only.
    const entity = mlServiceEntity({
      'mlops/kubernetes-service': 'shared/ml-churn-prod/churn-model:http',
      'mlops/inference-environment': 'prod',
      'mlops/kubernetes-service-dev': 'shared/ml-churn-dev/churn-model:http',
      'mlops/eks-cluster': 'shared',
      'backstage.io/kubernetes-id': 'churn-model',
      'backstage.io/kubernetes-namespace': 'ml-churn-prod',
    });

    it('says prod is not deployed yet, and nothing of dev, whose namespace is not fetched', async () => {
      const nothingFound = { items: [] };
      expect(await where(entity, nothingFound, ['shared'], 'prod')).toBe(
        'in namespace ml-churn-prod of cluster shared',
      );
      expect(
        await where(entity, nothingFound, ['shared'], 'dev'),
      ).toBeUndefined();
    });
  });
});
