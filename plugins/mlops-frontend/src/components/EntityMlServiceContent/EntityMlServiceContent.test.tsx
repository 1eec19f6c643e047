import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { EntityHealthResponse } from '@eks-mlops/backstage-plugin-mlops-common';
import {
  backstageError,
  DEV_AND_PROD_ANNOTATIONS,
  devAndProdHealth,
  emptyNotFoundError,
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
import degraded from '../../__fixtures__/health-degraded.json';
import down from '../../__fixtures__/health-down.json';
import unknown from '../../__fixtures__/health-unknown.json';
import stalled from '../../__fixtures__/kubernetes-rollout-stalled.json';
import crashLoop from '../../__fixtures__/kubernetes-crashloop.json';
import hpaAtMax from '../../__fixtures__/kubernetes-hpa-at-max.json';
import notDeployed from '../../__fixtures__/kubernetes-not-deployed.json';
import otherClustersForbidden from '../../__fixtures__/kubernetes-other-clusters-forbidden.json';
import { EntityMlServiceContent } from './EntityMlServiceContent';

function renderContent(options: RenderOptions = {}) {
  return renderWithMlops(<EntityMlServiceContent />, {
    entity: mlServiceEntity(),
    ...options,
  });
}

function healthApi(health: unknown) {
  return fakeMlopsApi({
    getEntityHealth: jest.fn(async () => health as EntityHealthResponse),
  });
}

async function endpointCard(environment: string) {
  return within(
    await screen.findByRole('region', { name: `Endpoint ${environment}` }),
  );
}

function rolloutCard() {
  return within(screen.getByRole('region', { name: 'Rollout' }));
}

describe('EntityMlServiceContent', () => {
  describe('health', () => {
    it('shows each healthy endpoint with its figures and history', async () => {
      await renderContent();
      const primary = await endpointCard('primary');
      expect(primary.getByText('Healthy')).toBeInTheDocument();
      expect(primary.getByText('yes / yes / yes')).toBeInTheDocument();
      expect(primary.getByText('36 ms / 61 ms')).toBeInTheDocument();
      expect(primary.getByText('99.87%')).toBeInTheDocument();
      expect(
        primary.getByTitle('Latency over the last 24 hours: 32 ms to 43 ms'),
      ).toBeInTheDocument();
      expect(
        primary.getByTitle('Uptime over the last 24 hours: lowest 100%'),
      ).toBeInTheDocument();
      expect(
        (await endpointCard('staging')).getByText('1.5.0'),
      ).toBeInTheDocument();
    });

    it('shows a degraded endpoint with the reason', async () => {
      await renderContent({ mlopsApi: healthApi(degraded) });
      const primary = await endpointCard('primary');
      expect(primary.getByText('Degraded')).toBeInTheDocument();
      expect(
        primary.getByText('latency 1840 ms is above the 1000 ms threshold'),
      ).toBeInTheDocument();
      expect(primary.getByText('210 ms / 1.92 s')).toBeInTheDocument();
    });

    it('shows a down endpoint with the probe error and its uptime dip', async () => {
      await renderContent({ mlopsApi: healthApi(down) });
      const primary = await endpointCard('primary');
      expect(primary.getByText('Down')).toBeInTheDocument();
      expect(
        primary.getByText('timeout: no answer within 5000 ms'),
      ).toBeInTheDocument();
      expect(
        primary.getByTitle('Uptime over the last 24 hours: lowest 0.00%'),
      ).toBeInTheDocument();
    });

    it('shows an endpoint without probes as unknown with no history yet', async () => {
      await renderContent({ mlopsApi: healthApi(unknown) });
      const primary = await endpointCard('primary');
      expect(primary.getByText('Unknown')).toBeInTheDocument();
      expect(
        primary.getByText('Not enough probes yet for a 24-hour history.'),
      ).toBeInTheDocument();
      expect(
        screen.getByText(/has not published model metadata/),
      ).toBeInTheDocument();
    });

    it('labels the endpoints of a service created with dev and prod by those environments', async () => {
      await renderContent({
        entity: mlServiceEntity(DEV_AND_PROD_ANNOTATIONS),
        mlopsApi: healthApi(devAndProdHealth()),
      });
      expect(
        (await endpointCard('prod')).getByText('Healthy'),
      ).toBeInTheDocument();
      expect(
        (await endpointCard('dev')).getByText('Healthy'),
      ).toBeInTheDocument();
      expect(screen.getByText('Endpoint: prod')).toBeInTheDocument();
      expect(screen.getByText('Endpoint: dev')).toBeInTheDocument();
      expect(screen.queryByText(/default|primary/)).not.toBeInTheDocument();
    });

    it('says "not deployed yet" rather than down while no Deployment exists', async () => {
      await renderContent({
        mlopsApi: healthApi(down),
        kubernetes: notDeployed,
      });
      const primary = await endpointCard('primary');
      expect(await primary.findByText('Not deployed yet')).toBeInTheDocument();
      expect(primary.queryByText('Down')).not.toBeInTheDocument();
      expect(primary.queryByText(/%/)).not.toBeInTheDocument();
      expect(
        rolloutCard().getByText(/No Deployment of this entity exists/),
      ).toBeInTheDocument();
    });

    it('says prod is not deployed yet, and where, while dev runs', async () => {
      await renderContent({
        entity: PROD_AWAITING_APPROVAL.entity,
        mlopsApi: healthApi(PROD_AWAITING_APPROVAL.health()),
        kubernetes: PROD_AWAITING_APPROVAL.kubernetes,
        kubernetesClusters: PROD_AWAITING_APPROVAL.clusters,
      });
      const prod = await endpointCard('prod');
      expect(await prod.findByText('Not deployed yet')).toBeInTheDocument();
      expect(
        prod.getByText(/No Deployment of this service exists/),
      ).toHaveTextContent(
        'in namespace ml-churn of cluster churn-model-prod yet',
      );
      expect(prod.queryByText(/ENOTFOUND/)).not.toBeInTheDocument();
      expect(
        (await endpointCard('dev')).getByText('Healthy'),
      ).toBeInTheDocument();
    });

    it('says prod is not deployed yet before its cluster exists, and why', async () => {
      await renderContent({
        entity: PROD_CLUSTER_NOT_CREATED.entity,
        mlopsApi: healthApi(PROD_CLUSTER_NOT_CREATED.health()),
        kubernetes: PROD_CLUSTER_NOT_CREATED.kubernetes,
        kubernetesClusters: PROD_CLUSTER_NOT_CREATED.clusters,
      });
      const prod = await endpointCard('prod');
      expect(await prod.findByText('Not deployed yet')).toBeInTheDocument();
      expect(
        prod.getByText(/The prober found it not deployed yet/),
      ).toHaveTextContent(
        'no image in ECR repository churn-model is tagged prod-run-* while dev has its',
      );
      expect(prod.queryByText('Unknown')).not.toBeInTheDocument();
    });

    it("says prod is rolling out during its first rollout, with the probe's finding", async () => {
      await renderContent({
        entity: PROD_FIRST_ROLLOUT.entity,
        mlopsApi: healthApi(PROD_FIRST_ROLLOUT.health()),
        kubernetes: PROD_FIRST_ROLLOUT.kubernetes,
        kubernetesClusters: PROD_FIRST_ROLLOUT.clusters,
      });
      const prod = await endpointCard('prod');
      expect(await prod.findByText('Rolling out')).toBeInTheDocument();
      const why = prod.getByText(/Deployment churn-model in cluster/);
      expect(why).toHaveTextContent(
        'churn-model-prod is rolling out (0 of 2 updated replicas available) and the endpoint has not answered',
      );
      expect(why).toHaveTextContent(
        'The last probe: ready: cannot resolve churn-model.ml.example.com',
      );
      expect(prod.queryByText('Down')).not.toBeInTheDocument();
      expect(
        (await endpointCard('dev')).getByText('Healthy'),
      ).toBeInTheDocument();
    });

    it('says "not deployed yet" while only other services\' clusters refuse the namespace', async () => {
      await renderContent({
        mlopsApi: healthApi(down),
        kubernetes: otherClustersForbidden,
        // ml-prod, the entity's mlops/eks-cluster, holds nothing of it yet.
        kubernetesClusters: [
          'ml-prod',
          'fraud-score-prod',
          'demand-forecast-prod',
        ],
      });
      const primary = await endpointCard('primary');
      expect(await primary.findByText('Not deployed yet')).toBeInTheDocument();
      expect(
        primary.getByText(/No Deployment of this service exists/),
      ).toHaveTextContent('in any of its clusters');
      expect(
        rolloutCard().queryByText(/Some clusters could not be read/),
      ).not.toBeInTheDocument();
      expect(
        rolloutCard().getByText(/Only this entity's clusters count here/),
      ).toBeInTheDocument();
    });

    it('shows backend errors', async () => {
      const error = await backstageError(500, 'Error', 'prober crashed');
      await renderContent({
        mlopsApi: fakeMlopsApi({
          getEntityHealth: jest.fn().mockRejectedValue(error),
        }),
      });
      expect(await screen.findAllByText(/prober crashed/)).not.toHaveLength(0);
    });
  });

  it('lists the model inputs and outputs from its metadata', async () => {
    await renderContent();
    const inputs = await screen.findByRole('table', { name: 'Model inputs' });
    expect(within(inputs).getByText('input-0')).toBeInTheDocument();
    expect(within(inputs).getByText('FP64')).toBeInTheDocument();
    expect(within(inputs).getByText('[any, 30]')).toBeInTheDocument();
    const outputs = screen.getByRole('table', { name: 'Model outputs' });
    expect(within(outputs).getByText('probabilities')).toBeInTheDocument();
    expect(screen.getByText('sklearn')).toBeInTheDocument();
  });

  it('links the image repository, CI runs, state bucket and cluster', async () => {
    await renderContent();
    const links = await screen.findByRole('list', { name: 'Service links' });
    expect(
      within(links).getByRole('link', { name: /ECR repository churn-model/ }),
    ).toHaveAttribute(
      'href',
      'https://eu-west-1.console.aws.amazon.com/ecr/repositories/private/123456789012/churn-model?region=eu-west-1',
    );
    expect(
      within(links).getByRole('link', { name: /GitHub Actions runs/ }),
    ).toHaveAttribute('href', 'https://github.com/acme/churn-model/actions');
    expect(
      within(links).getByRole('link', { name: /Terraform state bucket/ }),
    ).toBeInTheDocument();
    expect(
      within(links).getByRole('link', { name: /EKS cluster ml-prod/ }),
    ).toBeInTheDocument();
  });

  describe('rollout', () => {
    it('shows the deployment, its image and the autoscaler', async () => {
      await renderContent();
      const rollout = rolloutCard();
      expect(
        await rollout.findByRole('heading', { name: 'Deployment churn-model' }),
      ).toBeInTheDocument();
      expect(rollout.getByText('Rollout complete')).toBeInTheDocument();
      expect(
        rollout.getByText('3/3 ready · 3 updated · 3 available'),
      ).toBeInTheDocument();
      expect(rollout.getByText('1.4.2')).toBeInTheDocument();
      expect(
        rollout.getByText(
          'sha256:9f2a41c7e3b8d05a6c1e7f3b9d2a8c4e6f0b1d3a5c7e9f2b4d6a8c0e1f3a5b7d',
        ),
      ).toBeInTheDocument();
      expect(
        rollout.getByText('3 current · 3 desired · min 2 · max 6'),
      ).toBeInTheDocument();
      expect(rollout.getByText('41% of a 70% target')).toBeInTheDocument();
      expect(rollout.getByText('Can add 3 more replicas')).toBeInTheDocument();
      expect(
        rollout.queryByRole('table', { name: 'Problems' }),
      ).not.toBeInTheDocument();
    });

    it('shows a stalled rollout with the controller message and pull error', async () => {
      await renderContent({ kubernetes: stalled });
      const rollout = rolloutCard();
      expect(await rollout.findByText('Rollout stalled')).toBeInTheDocument();
      // In the rollout state and among the problems.
      expect(rollout.getAllByText(/has timed out progressing/)).toHaveLength(2);
      expect(rollout.getByText('1.5.0')).toBeInTheDocument();
      expect(rollout.getByText('not pulled yet')).toBeInTheDocument();
      const problems = rollout.getByRole('table', { name: 'Problems' });
      expect(
        within(problems).getByText('ImagePullBackOff'),
      ).toBeInTheDocument();
      expect(
        within(problems).getByText(/Back-off pulling image/),
      ).toBeInTheDocument();
    });

    it('shows CrashLoopBackOff pods, their OOM kills and restarts', async () => {
      await renderContent({ kubernetes: crashLoop });
      const rollout = rolloutCard();
      const problems = await rollout.findByRole('table', { name: 'Problems' });
      expect(within(problems).getAllByText('CrashLoopBackOff')).toHaveLength(2);
      expect(within(problems).getAllByText('OOMKilled')).toHaveLength(2);
      expect(
        within(problems).getByText('container=model-server restarted 7 times'),
      ).toBeInTheDocument();
      expect(
        within(problems).getAllByText(
          /Increase the amount of memory assigned to the container/,
        ),
      ).toHaveLength(2);
      expect(rollout.getByText('12')).toBeInTheDocument();
      expect(rollout.getByText('Rolling out')).toBeInTheDocument();
    });

    it('warns when the autoscaler is at its maximum', async () => {
      await renderContent({ kubernetes: hpaAtMax });
      const rollout = rolloutCard();
      expect(
        await rollout.findByText(
          'At its maximum of 5 replicas: it cannot scale out further',
        ),
      ).toBeInTheDocument();
      expect(rollout.getByText('96% of a 70% target')).toBeInTheDocument();
    });

    it('explains a missing Kubernetes plugin instead of failing', async () => {
      await renderContent({ kubernetes: null });
      const rollout = rolloutCard();
      expect(
        rollout.getByText(/Kubernetes plugin not installed/),
      ).toBeInTheDocument();
      expect(await endpointCard('primary')).toBeTruthy();
    });
  });

  describe('predict playground', () => {
    it('pre-fills the body from the metadata and shows the answer', async () => {
      const api = fakeMlopsApi();
      await renderContent({ mlopsApi: api });
      const body = await screen.findByRole('textbox', {
        name: 'Request body (JSON)',
      });
      await waitFor(() =>
        expect(JSON.parse((body as HTMLTextAreaElement).value)).toEqual({
          inputs: [
            {
              name: 'input-0',
              shape: [1, 30],
              datatype: 'FP64',
              data: new Array(30).fill(0),
            },
          ],
        }),
      );

      await userEvent.click(
        screen.getByRole('button', { name: 'Send prediction request' }),
      );

      expect(
        await screen.findByText('The model answered HTTP 200 in 23 ms'),
      ).toBeInTheDocument();
      expect(api.predict).toHaveBeenCalledWith(
        { kind: 'Component', namespace: 'default', name: 'churn-model' },
        {
          environment: 'default',
          body: expect.objectContaining({ inputs: expect.any(Array) }),
        },
      );
    });

    it('edits the body in a plain textarea, which measures nothing on resize', async () => {
      await renderContent();
      const form = await screen.findByRole('form', {
        name: 'Predict playground',
      });
      // MUI's auto-sizing textarea adds a hidden shadow textarea.
      expect(form.querySelectorAll('textarea')).toHaveLength(1);
    });

    it('sends to the chosen environment', async () => {
      const api = fakeMlopsApi();
      await renderContent({ mlopsApi: api });
      await userEvent.selectOptions(
        await screen.findByRole('combobox', { name: 'Environment' }),
        'staging',
      );
      await userEvent.click(
        screen.getByRole('button', { name: 'Send prediction request' }),
      );
      await waitFor(() =>
        expect(api.predict).toHaveBeenCalledWith(
          expect.anything(),
          expect.objectContaining({ environment: 'staging' }),
        ),
      );
    });

    it('flags a model answering with an error status', async () => {
      const api = fakeMlopsApi({
        predict: jest.fn(async () => ({
          status: 422,
          latencyMs: 9,
          body: { error: 'expected 30 features, got 2' },
        })),
      });
      await renderContent({ mlopsApi: api });
      await userEvent.click(
        await screen.findByRole('button', { name: 'Send prediction request' }),
      );
      expect(
        await screen.findByText('The model answered HTTP 422 in 9 ms'),
      ).toBeInTheDocument();
    });

    it('refuses a body that is not JSON without calling the backend', async () => {
      const api = fakeMlopsApi();
      await renderContent({ mlopsApi: api });
      const body = await screen.findByRole('textbox', {
        name: 'Request body (JSON)',
      });
      await userEvent.clear(body);
      await userEvent.type(body, 'not json');
      await userEvent.click(
        screen.getByRole('button', { name: 'Send prediction request' }),
      );
      expect(
        await screen.findByText(/The request body is not valid JSON/),
      ).toBeInTheDocument();
      expect(api.predict).not.toHaveBeenCalled();
    });

    it('explains a failing endpoint', async () => {
      const error = await backstageError(
        502,
        'BadGatewayError',
        'connect ECONNREFUSED 10.0.43.7:8080',
      );
      await renderContent({
        mlopsApi: fakeMlopsApi({ predict: jest.fn().mockRejectedValue(error) }),
      });
      await userEvent.click(
        await screen.findByRole('button', { name: 'Send prediction request' }),
      );
      const alert = await screen.findByRole('alert');
      expect(alert).toHaveTextContent('The model endpoint failed');
      expect(alert).toHaveTextContent('connect ECONNREFUSED 10.0.43.7:8080');
    });

    it("says how to install the backend plugin when its 404 is not the backend's", async () => {
      await renderContent({
        mlopsApi: fakeMlopsApi({
          predict: jest.fn().mockRejectedValue(await emptyNotFoundError()),
        }),
      });
      await userEvent.click(
        await screen.findByRole('button', { name: 'Send prediction request' }),
      );
      expect(
        await screen.findByText(
          /The mlops backend plugin does not answer at \/api\/mlops/,
        ),
      ).toBeInTheDocument();
      expect(
        screen.queryByText(/does not know this entity or environment/),
      ).not.toBeInTheDocument();
    });

    it('explains a timeout', async () => {
      const error = await backstageError(504, 'TimeoutError', 'after 10000 ms');
      await renderContent({
        mlopsApi: fakeMlopsApi({ predict: jest.fn().mockRejectedValue(error) }),
      });
      await userEvent.click(
        await screen.findByRole('button', { name: 'Send prediction request' }),
      );
      expect(await screen.findByRole('alert')).toHaveTextContent(
        'The model endpoint did not answer in time',
      );
    });

    it('is replaced by an explanation for users without the permission', async () => {
      // usePermission caches answers per entity for a while, so this test
      // uses an entity the allowed tests have not asked about.
      await renderContent({
        entity: mlServiceEntity(undefined, 'fraud-detector'),
        predictAllowed: false,
      });
      expect(
        await screen.findByText(/needs the 'mlops.entity.predict' permission/),
      ).toBeInTheDocument();
      expect(
        screen.queryByRole('button', { name: 'Send prediction request' }),
      ).not.toBeInTheDocument();
      expect(
        screen.queryByRole('textbox', { name: 'Request body (JSON)' }),
      ).not.toBeInTheDocument();
    });
  });

  it('explains what to add to an entity without the annotations', async () => {
    const api = fakeMlopsApi();
    await renderContent({
      entity: mlServiceEntity({ 'github.com/project-slug': 'acme/churn' }),
      mlopsApi: api,
    });
    expect(
      screen.getByText('This entity is not set up as an ML service'),
    ).toBeInTheDocument();
    expect(api.getEntityHealth).not.toHaveBeenCalled();
  });
});
