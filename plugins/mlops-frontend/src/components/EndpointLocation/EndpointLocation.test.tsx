import { renderInTestApp } from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import { EndpointLocation } from './EndpointLocation';

describe('EndpointLocation', () => {
  it('shows a Kubernetes proxy endpoint as k8s: target, not as a link', async () => {
    await renderInTestApp(
      <EndpointLocation url="k8s:prod-eks/ml-services/churn-model:http" />,
    );
    const text = screen.getByText('k8s: prod-eks/ml-services/churn-model:http');
    expect(text.closest('a')).toBeNull();
    expect(text).toHaveAttribute(
      'title',
      "Reached through the Kubernetes API server's service proxy",
    );
  });

  it('links a URL endpoint', async () => {
    await renderInTestApp(<EndpointLocation url="https://m.example.com" />);
    expect(
      screen.getByRole('link', { name: /^https:\/\/m\.example\.com/ }),
    ).toHaveAttribute('href', 'https://m.example.com');
  });

  it('labels a proxy endpoint with the given text', async () => {
    await renderInTestApp(
      <EndpointLocation url="k8s:demo/ml/m:http">prod</EndpointLocation>,
    );
    expect(screen.getByText('prod').closest('a')).toBeNull();
  });
});
