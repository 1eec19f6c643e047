import { screen } from '@testing-library/react';
import {
  DEFAULT_ANNOTATIONS,
  mlServiceEntity,
} from '../../__testUtils__/fakes';
import {
  renderWithMlops,
  RenderOptions,
} from '../../__testUtils__/renderWithMlops';
import { EntityRolloutProvider } from '../../hooks/useEntityRollout';
import healthy from '../../__fixtures__/kubernetes-healthy.json';
import otherClustersForbidden from '../../__fixtures__/kubernetes-other-clusters-forbidden.json';
import { RolloutDetails } from './RolloutDetails';

function renderDetails(options: RenderOptions = {}) {
  const entity = options.entity ?? mlServiceEntity();
  return renderWithMlops(
    <EntityRolloutProvider entity={entity}>
      <RolloutDetails />
    </EntityRolloutProvider>,
    { ...options, entity },
  );
}

/** The clusters of a multiTenant setup: the entity's (`ml-prod`, its `mlops/eks-cluster`) and two other services'. */
const CLUSTERS = ['ml-prod', 'fraud-score-prod', 'demand-forecast-prod'];

/** `otherClustersForbidden` with the entity's own cluster refusing too. */
const allForbidden = {
  items: [
    ...otherClustersForbidden.items,
    { ...otherClustersForbidden.items[0], cluster: { name: 'ml-prod' } },
  ],
};

describe('RolloutDetails', () => {
  it('names each Deployment section by its heading, whatever the cluster title', async () => {
    // The fixture's cluster title, "EKS prod (eu-west-1)", has spaces.
    expect(healthy.items[0].cluster.title).toContain(' ');
    await renderDetails({ kubernetes: healthy });
    const section = await screen.findByRole('region', {
      name: 'Deployment churn-model',
    });
    expect(section).toHaveTextContent('cluster EKS prod (eu-west-1)');
  });

  it('does not warn about the clusters of other services refusing the namespace, and says it left them out', async () => {
    await renderDetails({
      kubernetes: otherClustersForbidden,
      kubernetesClusters: CLUSTERS,
    });
    expect(
      await screen.findByText(
        /No Deployment of this entity exists in any of its clusters/,
      ),
    ).toBeInTheDocument();
    expect(
      screen.queryByText(/Some clusters could not be read/),
    ).not.toBeInTheDocument();
    expect(
      screen.getByText(
        /Only this entity's clusters count here: ml-prod\. 2 other clusters \(fraud-score-prod, demand-forecast-prod\) hold nothing of it/,
      ),
    ).toBeInTheDocument();
  });

  it('warns about its own cluster refusing the namespace, and only about that one', async () => {
    await renderDetails({
      kubernetes: allForbidden,
      kubernetesClusters: CLUSTERS,
    });
    expect(
      await screen.findByText(/Some clusters could not be read/),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/ml-prod: UNKNOWN_ERROR \(HTTP 403\)/),
    ).toHaveTextContent(
      /^ml-prod: UNKNOWN_ERROR \(HTTP 403\) for \/apis\/apps\/v1\/namespaces\/ml-churn\/deployments; ml-prod:/,
    );
    expect(screen.queryByText(/fraud-score-prod: /)).not.toBeInTheDocument();
    expect(screen.queryByText(/Not deployed yet/)).not.toBeInTheDocument();
  });

  it('counts every cluster for an entity naming none, as before', async () => {
    const { 'mlops/eks-cluster': _cluster, ...noCluster } = DEFAULT_ANNOTATIONS;
    await renderDetails({
      entity: mlServiceEntity(noCluster),
      kubernetes: otherClustersForbidden,
      kubernetesClusters: CLUSTERS,
    });
    expect(
      await screen.findByText(/Some clusters could not be read/),
    ).toBeInTheDocument();
    expect(screen.getByText(/fraud-score-prod: /)).toBeInTheDocument();
    expect(screen.getByText(/demand-forecast-prod: /)).toBeInTheDocument();
    expect(
      screen.getByText(
        'No Deployment of this entity found in the clusters that could be read.',
      ),
    ).toBeInTheDocument();
    expect(screen.queryByText(/Not deployed yet/)).not.toBeInTheDocument();
    expect(
      screen.queryByText(/Only this entity's clusters/),
    ).not.toBeInTheDocument();
  });
});
