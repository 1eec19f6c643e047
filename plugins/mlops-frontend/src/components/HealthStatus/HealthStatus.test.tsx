import { screen } from '@testing-library/react';
import { renderInTestApp } from '@backstage/test-utils';
import { EnvironmentHealthChip, HealthStatus } from './HealthStatus';

describe('HealthStatus', () => {
  it.each([
    ['healthy', 'Healthy', 'status-ok'],
    ['degraded', 'Degraded', 'status-warning'],
    ['down', 'Down', 'status-error'],
    ['unknown', 'Unknown', 'status-pending'],
  ] as const)('shows %s as %s', async (state, label, testId) => {
    await renderInTestApp(<HealthStatus state={state} />);
    expect(screen.getByText(label)).toBeInTheDocument();
    expect(screen.getByTestId(testId)).toBeInTheDocument();
  });

  it('names the environment and its health on the chip', async () => {
    await renderInTestApp(
      <EnvironmentHealthChip environment="staging" state="down" />,
    );
    expect(screen.getByLabelText('staging: Down')).toHaveTextContent(
      'staging Down',
    );
  });
});
