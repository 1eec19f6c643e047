import { act, screen, within } from '@testing-library/react';
import { textContentMatcher } from '@backstage/test-utils';
import { EntityHealthResponse } from '@eks-mlops/backstage-plugin-mlops-common';
import {
  backstageError,
  DEFAULT_ANNOTATIONS,
  DEV_AND_PROD_ANNOTATIONS,
  devAndProdHealth,
  fakeMlopsApi,
  mlServiceEntity,
  PROD_AWAITING_APPROVAL,
  PROD_CLUSTER_NOT_CREATED,
  PROD_FIRST_ROLLOUT,
} from '../../__testUtils__/fakes';
import {
  renderWithMlops,
  RenderOptions,
} from '../../__testUtils__/renderWithMlops';
import healthy from '../../__fixtures__/health-healthy.json';
import degraded from '../../__fixtures__/health-degraded.json';
import down from '../../__fixtures__/health-down.json';
import unknown from '../../__fixtures__/health-unknown.json';
import stalled from '../../__fixtures__/kubernetes-rollout-stalled.json';
import crashLoop from '../../__fixtures__/kubernetes-crashloop.json';
import hpaAtMax from '../../__fixtures__/kubernetes-hpa-at-max.json';
import notDeployed from '../../__fixtures__/kubernetes-not-deployed.json';
import otherClustersForbidden from '../../__fixtures__/kubernetes-other-clusters-forbidden.json';
import { EntityMlServiceCard } from './EntityMlServiceCard';

function renderCard(options: RenderOptions = {}) {
  return renderWithMlops(<EntityMlServiceCard />, {
    entity: mlServiceEntity(),
    ...options,
  });
}

function healthApi(health: unknown) {
  return fakeMlopsApi({
    getEntityHealth: jest.fn(async () => health as EntityHealthResponse),
  });
}

function endpoint(environment: string) {
  return screen.getByLabelText(`Endpoint ${environment}`);
}

describe('EntityMlServiceCard', () => {
  it('shows each environment with health, latency, uptime, version and link', async () => {
    await renderCard();

    expect(
      await screen.findByLabelText('primary: Healthy'),
    ).toBeInTheDocument();
    expect(screen.getByLabelText('staging: Healthy')).toBeInTheDocument();
    const primary = within(endpoint('primary'));
    expect(primary.getByText('38 ms')).toBeInTheDocument();
    expect(primary.getByText('99.87%')).toBeInTheDocument();
    expect(primary.getByText('1.4.2')).toBeInTheDocument();
    expect(
      primary.getByRole('link', {
        name: /https:\/\/churn-model\.ml\.example\.com/,
      }),
    ).toHaveAttribute('href', 'https://churn-model.ml.example.com');
    expect(within(endpoint('staging')).getByText('1.5.0')).toBeInTheDocument();
  });

  it('labels the endpoints of a service created with dev and prod by those environments', async () => {
    await renderCard({
      entity: mlServiceEntity(DEV_AND_PROD_ANNOTATIONS),
      mlopsApi: healthApi(devAndProdHealth()),
    });
    expect(await screen.findByLabelText('prod: Healthy')).toBeInTheDocument();
    expect(screen.getByLabelText('dev: Healthy')).toBeInTheDocument();
    expect(within(endpoint('prod')).getByText('38 ms')).toBeInTheDocument();
    expect(screen.queryByText('default')).not.toBeInTheDocument();
    expect(screen.queryByText('primary')).not.toBeInTheDocument();
  });

  it('says "not deployed yet" rather than down while no Deployment exists', async () => {
    await renderCard({ mlopsApi: healthApi(down), kubernetes: notDeployed });
    expect(
      await screen.findByLabelText('primary: Not deployed yet'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/No Deployment of this entity exists/),
    ).toBeInTheDocument();
    expect(screen.queryByText('Down')).not.toBeInTheDocument();
    expect(screen.queryByText(/%/)).not.toBeInTheDocument();
    expect(
      within(endpoint('primary')).getByRole('link', {
        name: /churn-model\.ml\.example\.com/,
      }),
    ).toBeInTheDocument();
  });

  it('says prod is not deployed yet while its deploy awaits approval and dev runs', async () => {
    await renderCard({
      entity: PROD_AWAITING_APPROVAL.entity,
      mlopsApi: healthApi(PROD_AWAITING_APPROVAL.health()),
      kubernetes: PROD_AWAITING_APPROVAL.kubernetes,
      kubernetesClusters: PROD_AWAITING_APPROVAL.clusters,
    });
    expect(
      await screen.findByLabelText('prod: Not deployed yet'),
    ).toBeInTheDocument();
    expect(screen.getByLabelText('dev: Healthy')).toBeInTheDocument();
    expect(screen.queryByText('Down')).not.toBeInTheDocument();
    expect(within(endpoint('prod')).queryByText(/%/)).not.toBeInTheDocument();
    expect(await screen.findByText('3/3 ready')).toBeInTheDocument();
  });

  it("says prod is not deployed yet before its cluster exists, from the prober's finding", async () => {
    await renderCard({
      entity: PROD_CLUSTER_NOT_CREATED.entity,
      mlopsApi: healthApi(PROD_CLUSTER_NOT_CREATED.health()),
      kubernetes: PROD_CLUSTER_NOT_CREATED.kubernetes,
      kubernetesClusters: PROD_CLUSTER_NOT_CREATED.clusters,
    });
    expect(
      await screen.findByLabelText('prod: Not deployed yet'),
    ).toBeInTheDocument();
    expect(screen.getByLabelText('dev: Healthy')).toBeInTheDocument();
    expect(screen.queryByText('Unknown')).not.toBeInTheDocument();
    expect(within(endpoint('prod')).queryByText(/%/)).not.toBeInTheDocument();
  });

  it('says prod is rolling out, and how far, during its first rollout', async () => {
    await renderCard({
      entity: PROD_FIRST_ROLLOUT.entity,
      mlopsApi: healthApi(PROD_FIRST_ROLLOUT.health()),
      kubernetes: PROD_FIRST_ROLLOUT.kubernetes,
      kubernetesClusters: PROD_FIRST_ROLLOUT.clusters,
    });
    expect(
      await screen.findByLabelText('prod: Rolling out'),
    ).toBeInTheDocument();
    expect(screen.getByLabelText('dev: Healthy')).toBeInTheDocument();
    expect(screen.queryByText('Down')).not.toBeInTheDocument();
    const prod = within(endpoint('prod'));
    expect(
      prod.getByText('0 of 2 updated replicas available'),
    ).toBeInTheDocument();
    expect(prod.queryByText(/%/)).not.toBeInTheDocument();
  });

  it('says down, not rolling out, for an endpoint that answered in the last day', async () => {
    const [prod, dev] = PROD_FIRST_ROLLOUT.health().endpoints;
    await renderCard({
      entity: PROD_FIRST_ROLLOUT.entity,
      mlopsApi: healthApi({
        ...PROD_FIRST_ROLLOUT.health(),
        endpoints: [{ ...prod, uptime24h: 0.5 }, dev],
      }),
      kubernetes: PROD_FIRST_ROLLOUT.kubernetes,
      kubernetesClusters: PROD_FIRST_ROLLOUT.clusters,
    });
    expect(await screen.findByLabelText('prod: Down')).toBeInTheDocument();
    expect(within(endpoint('prod')).getByText('50.00%')).toBeInTheDocument();
  });

  it('keeps the health of an endpoint that answers without a Deployment', async () => {
    await renderCard({ kubernetes: notDeployed });
    expect(
      await screen.findByLabelText('primary: Healthy'),
    ).toBeInTheDocument();
  });

  describe('with the multiTenant service locator, which asks every cluster', () => {
    // The entity's cluster is ml-prod (its mlops/eks-cluster); the others are
    // other services' clusters, refusing its namespace with 403.
    const clusters = ['ml-prod', 'fraud-score-prod', 'demand-forecast-prod'];
    const ownClusterForbidden = {
      items: [
        ...otherClustersForbidden.items,
        { ...otherClustersForbidden.items[0], cluster: { name: 'ml-prod' } },
      ],
    };

    it('says "not deployed yet" although other clusters refuse the namespace', async () => {
      await renderCard({
        mlopsApi: healthApi(down),
        kubernetes: otherClustersForbidden,
        kubernetesClusters: clusters,
      });
      expect(
        await screen.findByLabelText('primary: Not deployed yet'),
      ).toBeInTheDocument();
      expect(
        screen.getByText(/No Deployment of this entity exists/),
      ).toHaveTextContent('in any of its clusters');
      expect(screen.queryByText('Down')).not.toBeInTheDocument();
    });

    it('keeps the probed health while its own cluster cannot be read', async () => {
      await renderCard({
        mlopsApi: healthApi(down),
        kubernetes: ownClusterForbidden,
        kubernetesClusters: clusters,
      });
      expect(
        await screen.findByText(
          'No Deployment found, but ml-prod could not be read.',
        ),
      ).toBeInTheDocument();
      expect(screen.getByLabelText('primary: Down')).toBeInTheDocument();
      expect(
        screen.queryByLabelText('primary: Not deployed yet'),
      ).not.toBeInTheDocument();
    });

    it('counts every cluster for an entity naming none, as before', async () => {
      const { 'mlops/eks-cluster': _cluster, ...noCluster } =
        DEFAULT_ANNOTATIONS;
      await renderCard({
        entity: mlServiceEntity(noCluster),
        mlopsApi: healthApi(down),
        kubernetes: otherClustersForbidden,
        kubernetesClusters: clusters,
      });
      expect(
        await screen.findByText(
          'No Deployment found, but fraud-score-prod, demand-forecast-prod could not be read.',
        ),
      ).toBeInTheDocument();
      expect(screen.getByLabelText('primary: Down')).toBeInTheDocument();
      expect(
        screen.queryByLabelText('primary: Not deployed yet'),
      ).not.toBeInTheDocument();
    });
  });

  it('shows replicas and the rollout state from Kubernetes', async () => {
    await renderCard();
    expect(await screen.findByText('3/3 ready')).toBeInTheDocument();
    expect(screen.getByText('Rollout complete')).toBeInTheDocument();
  });

  it('shows a degraded endpoint', async () => {
    await renderCard({ mlopsApi: healthApi(degraded) });
    expect(
      await screen.findByLabelText('primary: Degraded'),
    ).toBeInTheDocument();
    expect(within(endpoint('primary')).getByText('1.84 s')).toBeInTheDocument();
  });

  it('shows a down endpoint', async () => {
    await renderCard({ mlopsApi: healthApi(down) });
    expect(await screen.findByLabelText('primary: Down')).toBeInTheDocument();
    expect(within(endpoint('primary')).getByText('41.67%')).toBeInTheDocument();
  });

  it('shows an endpoint not probed yet as unknown', async () => {
    await renderCard({ mlopsApi: healthApi(unknown) });
    expect(
      await screen.findByLabelText('primary: Unknown'),
    ).toBeInTheDocument();
    expect(within(endpoint('primary')).getAllByText('—')).toHaveLength(3);
  });

  it('explains what to add to an entity without the annotations', async () => {
    const api = fakeMlopsApi();
    await renderCard({
      entity: mlServiceEntity({ 'backstage.io/kubernetes-id': 'churn-model' }),
      mlopsApi: api,
    });
    expect(
      screen.getByText('This entity is not set up as an ML service'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        textContentMatcher(
          'mlops/inference-url: https://churn-model.example.com',
        ),
      ),
    ).toBeInTheDocument();
    expect(api.getEntityHealth).not.toHaveBeenCalled();
  });

  it('still shows health when the app has no Kubernetes plugin', async () => {
    await renderCard({ kubernetes: null });
    expect(
      await screen.findByLabelText('primary: Healthy'),
    ).toBeInTheDocument();
    expect(screen.getByRole('status')).toHaveTextContent(
      'Kubernetes plugin not installed',
    );
  });

  it('asks for the Kubernetes annotation when it is missing', async () => {
    await renderCard({
      entity: mlServiceEntity({
        'mlops/inference-url': 'https://churn-model.ml.example.com',
      }),
    });
    expect(await screen.findByRole('status')).toHaveTextContent(
      'backstage.io/kubernetes-id',
    );
  });

  it('shows a stalled rollout and its image pull error', async () => {
    await renderCard({ kubernetes: stalled });
    expect(await screen.findByText('Rollout stalled')).toBeInTheDocument();
    expect(
      screen.getByText('ImagePullBackOff, Deployment condition'),
    ).toBeInTheDocument();
  });

  it('shows pods in CrashLoopBackOff and why they die', async () => {
    await renderCard({ kubernetes: crashLoop });
    expect(await screen.findByText('1/3 ready')).toBeInTheDocument();
    expect(
      screen.getByText('CrashLoopBackOff, OOMKilled, Deployment condition'),
    ).toBeInTheDocument();
  });

  it('warns when the autoscaler is at its maximum', async () => {
    await renderCard({ kubernetes: hpaAtMax });
    expect(
      await screen.findByText('at its maximum of 5 replicas'),
    ).toBeInTheDocument();
  });

  it('says when the backend does not know the entity yet', async () => {
    const error = await backstageError(404, 'NotFoundError', 'unknown entity');
    await renderCard({
      mlopsApi: fakeMlopsApi({
        getEntityHealth: jest.fn().mockRejectedValue(error),
      }),
    });
    expect(
      await screen.findByText(/Not known to the mlops backend yet/),
    ).toBeInTheDocument();
  });

  it('shows other backend errors', async () => {
    const error = await backstageError(500, 'Error', 'database is locked');
    await renderCard({
      mlopsApi: fakeMlopsApi({
        getEntityHealth: jest.fn().mockRejectedValue(error),
      }),
    });
    expect(await screen.findAllByText(/database is locked/)).not.toHaveLength(
      0,
    );
  });

  it('keeps showing the last answer, without a spinner, while refreshes fail', async () => {
    jest.useFakeTimers();
    try {
      const error = await backstageError(503, 'Error', 'backend restarting');
      const getEntityHealth = jest
        .fn()
        .mockResolvedValueOnce(healthy)
        .mockRejectedValue(error);
      await renderCard({ mlopsApi: fakeMlopsApi({ getEntityHealth }) });
      expect(
        await screen.findByLabelText('primary: Healthy'),
      ).toBeInTheDocument();

      for (const refresh of [2, 3]) {
        await act(async () => {
          jest.advanceTimersByTime(60_000);
        });
        expect(getEntityHealth).toHaveBeenCalledTimes(refresh);
        expect(
          await screen.findByText(/the latest refresh failed/),
        ).toBeInTheDocument();
        expect(
          screen.getByText(/503.*: backend restarting/),
        ).toBeInTheDocument();
        expect(screen.getByLabelText('primary: Healthy')).toBeInTheDocument();
        expect(screen.queryByTestId('progress')).not.toBeInTheDocument();
      }
    } finally {
      jest.useRealTimers();
    }
  });

  it('shows progress while health loads', async () => {
    await renderCard({
      mlopsApi: fakeMlopsApi({
        getEntityHealth: jest.fn(() => new Promise<never>(() => {})),
      }),
    });
    expect(screen.getAllByTestId('progress').length).toBeGreaterThan(0);
  });
});
