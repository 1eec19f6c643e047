import { ReactNode } from 'react';
import { renderHook, waitFor } from '@testing-library/react';
import { Entity } from '@backstage/catalog-model';
import { TestApiProvider } from '@backstage/test-utils';
import {
  ApiPair,
  fakeKubernetesApis,
  mlServiceEntity,
} from '../__testUtils__/fakes';
import otherClustersForbidden from '../__fixtures__/kubernetes-other-clusters-forbidden.json';
import {
  EntityRolloutProvider,
  useEntityRollout,
  useNotDeployedYet,
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

function renderRollout(entity: Entity, apis: ApiPair[]) {
  const wrapper = ({ children }: { children: ReactNode }) => (
    <TestApiProvider apis={apis}>
      <EntityRolloutProvider entity={entity}>{children}</EntityRolloutProvider>
    </TestApiProvider>
  );
  return renderHook(
    () => ({
      rollout: useEntityRollout(),
      notDeployedYet: useNotDeployedYet(),
    }),
    { wrapper },
  );
}

async function loaded(entity: Entity, apis: ApiPair[]) {
  const { result } = renderRollout(entity, apis);
  await waitFor(() => expect(result.current.rollout.status).toBe('loaded'));
  return result.current;
}

describe('useNotDeployedYet', () => {
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
