import { screen } from '@testing-library/react';
import { renderInTestApp } from '@backstage/test-utils';
import {
  endpointDisplayState,
  EnvironmentHealthChip,
  HealthStatus,
} from './HealthStatus';

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

  it('shows an endpoint not deployed yet, by the Kubernetes plugin or the prober, unless it answers', () => {
    const notDeployed = {
      state: 'unknown',
      errorClass: 'not-deployed',
    } as const;
    expect(endpointDisplayState(notDeployed, false)).toBe('not-deployed');
    expect(endpointDisplayState({ state: 'down' }, true)).toBe('not-deployed');
    expect(endpointDisplayState({ state: 'down' }, false)).toBe('down');
    expect(endpointDisplayState({ state: 'healthy' }, true)).toBe('healthy');
    expect(
      endpointDisplayState({ state: 'unknown', errorClass: 'blocked' }, false),
    ).toBe('unknown');
  });
});
