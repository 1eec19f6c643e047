import { screen } from '@testing-library/react';
import { mlServiceEntity } from '../../__testUtils__/fakes';
import { renderWithMlops } from '../../__testUtils__/renderWithMlops';
import { RequireKubernetesPlugin } from './RequireKubernetesPlugin';

const children = <p>rollout goes here</p>;

describe('RequireKubernetesPlugin', () => {
  it('renders its children when the plugin and the annotation are there', async () => {
    await renderWithMlops(
      <RequireKubernetesPlugin entity={mlServiceEntity()}>
        {children}
      </RequireKubernetesPlugin>,
    );
    expect(screen.getByText('rollout goes here')).toBeInTheDocument();
  });

  it('explains how to install a missing Kubernetes plugin', async () => {
    await renderWithMlops(
      <RequireKubernetesPlugin entity={mlServiceEntity()}>
        {children}
      </RequireKubernetesPlugin>,
      { kubernetes: null },
    );
    expect(
      screen.getByText(/Kubernetes plugin not installed/),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/@backstage\/plugin-kubernetes-backend/),
    ).toBeInTheDocument();
    expect(screen.queryByText('rollout goes here')).not.toBeInTheDocument();
  });

  it('asks for the annotation on entities without one', async () => {
    await renderWithMlops(
      <RequireKubernetesPlugin
        entity={mlServiceEntity({ 'mlops/inference-url': 'http://x' })}
        compact
      >
        {children}
      </RequireKubernetesPlugin>,
    );
    expect(screen.getByRole('status')).toHaveTextContent(
      'Add the backstage.io/kubernetes-id annotation',
    );
  });
});
