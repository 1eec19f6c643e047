import { screen } from '@testing-library/react';
import { renderInTestApp } from '@backstage/test-utils';
import {
  DEPLOYMENT_NOT_SEEN,
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
    const noDeployment = { ...DEPLOYMENT_NOT_SEEN, notDeployed: true };
    expect(endpointDisplayState(notDeployed, DEPLOYMENT_NOT_SEEN)).toBe(
      'not-deployed',
    );
    expect(endpointDisplayState({ state: 'down' }, noDeployment)).toBe(
      'not-deployed',
    );
    expect(endpointDisplayState({ state: 'down' }, DEPLOYMENT_NOT_SEEN)).toBe(
      'down',
    );
    expect(endpointDisplayState({ state: 'healthy' }, noDeployment)).toBe(
      'healthy',
    );
    expect(
      endpointDisplayState(
        { state: 'unknown', errorClass: 'blocked' },
        DEPLOYMENT_NOT_SEEN,
      ),
    ).toBe('unknown');
  });

  it('shows an endpoint rolling out during its first rollout only', () => {
    const rollingOut = { ...DEPLOYMENT_NOT_SEEN, rollingOut: true };
    expect(endpointDisplayState({ state: 'down' }, rollingOut)).toBe(
      'rolling-out',
    );
    expect(
      endpointDisplayState({ state: 'down', uptime24h: 0 }, rollingOut),
    ).toBe('rolling-out');
    expect(
      endpointDisplayState({ state: 'unknown', errorClass: 'dns' }, rollingOut),
    ).toBe('rolling-out');
    // It answered in the last day and stopped: down, whatever rolls out.
    expect(
      endpointDisplayState({ state: 'down', uptime24h: 0.4 }, rollingOut),
    ).toBe('down');
    expect(endpointDisplayState({ state: 'degraded' }, rollingOut)).toBe(
      'degraded',
    );
  });

  it('shows a rollout as running', async () => {
    await renderInTestApp(<HealthStatus state="rolling-out" />);
    expect(screen.getByText('Rolling out')).toBeInTheDocument();
    expect(screen.getByTestId('status-running')).toBeInTheDocument();
  });
});
