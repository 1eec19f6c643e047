import { screen } from '@testing-library/react';
import { renderInTestApp } from '@backstage/test-utils';
import {
  EndpointHealthState,
  EndpointHealthSummary,
} from '@eks-mlops/backstage-plugin-mlops-common';
import { firstRolloutOf } from '../../__testUtils__/fakes';
import { DEPLOYMENT_NOT_SEEN } from '../../kubernetes/environmentDeployment';
import {
  endpointDisplayState,
  firstRolloutProgress,
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

  const LAST_PROBE = '2026-12-07T10:22:00.000Z';

  function probed(
    state: EndpointHealthState,
    more: Partial<EndpointHealthSummary> = {},
  ) {
    return { state, checkedAt: LAST_PROBE, ...more };
  }

  it('shows an endpoint not deployed yet, by the Kubernetes plugin or the prober, unless it answers', () => {
    const noDeployment = { whereNotDeployed: 'in any cluster' };
    expect(
      endpointDisplayState(
        probed('unknown', { errorClass: 'not-deployed' }),
        DEPLOYMENT_NOT_SEEN,
      ),
    ).toBe('not-deployed');
    expect(endpointDisplayState(probed('down'), noDeployment)).toBe(
      'not-deployed',
    );
    expect(endpointDisplayState(probed('down'), DEPLOYMENT_NOT_SEEN)).toBe(
      'down',
    );
    expect(endpointDisplayState(probed('healthy'), noDeployment)).toBe(
      'healthy',
    );
    expect(
      endpointDisplayState(
        probed('unknown', { errorClass: 'blocked' }),
        DEPLOYMENT_NOT_SEEN,
      ),
    ).toBe('unknown');
  });

  it('shows an endpoint rolling out during its first rollout only', () => {
    const rollingOut = { rollout: firstRolloutOf() };
    expect(endpointDisplayState(probed('down'), rollingOut)).toBe(
      'rolling-out',
    );
    expect(
      endpointDisplayState(probed('down', { uptime24h: 0 }), rollingOut),
    ).toBe('rolling-out');
    expect(
      endpointDisplayState(
        probed('unknown', { errorClass: 'dns' }),
        rollingOut,
      ),
    ).toBe('rolling-out');
    // It answered in the last day and stopped: down, whatever rolls out.
    expect(
      endpointDisplayState(probed('down', { uptime24h: 0.4 }), rollingOut),
    ).toBe('down');
    expect(endpointDisplayState(probed('degraded'), rollingOut)).toBe(
      'degraded',
    );
    const stalled = firstRolloutOf({ state: 'stalled' });
    expect(
      endpointDisplayState(probed('down'), {
        rollout: stalled,
      }),
    ).toBe('down');
  });

  it('keeps a replica that became ready after the last probe rolling out until the next probe', () => {
    const ready = (readySince: string) => ({
      rollout: firstRolloutOf({
        availableReplicas: 1,
        readyReplicas: 1,
        stateMessage: '1 of 2 updated replicas available',
        readySince: new Date(readySince),
      }),
    });
    const afterProbe = ready('2026-12-07T10:22:30Z');
    expect(endpointDisplayState(probed('down'), afterProbe)).toBe(
      'rolling-out',
    );
    expect(firstRolloutProgress(afterProbe.rollout, LAST_PROBE)).toMatch(
      /^a replica ready since .+, after the last probe$/,
    );
    expect(
      endpointDisplayState(probed('down'), ready('2026-12-07T10:21:59Z')),
    ).toBe('down');
  });

  it('shows a rollout as running', async () => {
    await renderInTestApp(<HealthStatus state="rolling-out" />);
    expect(screen.getByText('Rolling out')).toBeInTheDocument();
    expect(screen.getByTestId('status-running')).toBeInTheDocument();
  });
});
