import { screen } from '@testing-library/react';
import { mlServiceEntity } from '../../__testUtils__/fakes';
import { renderWithMlops } from '../../__testUtils__/renderWithMlops';
import { EntityRolloutProvider } from '../../hooks/useEntityRollout';
import healthy from '../../__fixtures__/kubernetes-healthy.json';
import { RolloutDetails } from './RolloutDetails';

describe('RolloutDetails', () => {
  it('names each Deployment section by its heading, whatever the cluster title', async () => {
    // The fixture's cluster title, "EKS prod (eu-west-1)", has spaces.
    expect(healthy.items[0].cluster.title).toContain(' ');
    const entity = mlServiceEntity();
    await renderWithMlops(
      <EntityRolloutProvider entity={entity}>
        <RolloutDetails />
      </EntityRolloutProvider>,
      { entity, kubernetes: healthy },
    );
    const section = await screen.findByRole('region', {
      name: 'Deployment churn-model',
    });
    expect(section).toHaveTextContent('cluster EKS prod (eu-west-1)');
  });
});
