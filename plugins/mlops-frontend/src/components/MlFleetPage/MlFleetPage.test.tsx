import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Entity } from '@backstage/catalog-model';
import {
  EntityHealthResponse,
  FleetResponse,
} from '@eks-mlops/backstage-plugin-mlops-common';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import {
  backstageError,
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
import {
  FIRST_RENDER_MS,
  FIRST_RENDER_TEST_MS,
} from '../../__testUtils__/firstRender';
import { MlFleetPage } from './MlFleetPage';

function catalogEntity(name: string, kubernetesId?: string): Entity {
  return mlServiceEntity(
    {
      'mlops/inference-url': `https://${name}.ml.example.com`,
      ...(kubernetesId ? { 'backstage.io/kubernetes-id': kubernetesId } : {}),
    },
    name,
  );
}

const catalog = catalogApiMock({
  entities: [
    catalogEntity('churn-model', 'churn-model'),
    catalogEntity('fraud-detector', 'fraud-detector'),
    catalogEntity('price-forecast'),
  ],
});

function renderPage(options: RenderOptions = {}) {
  return renderWithMlops(<MlFleetPage />, {
    apis: [[catalogApiRef, catalog]],
    ...options,
  });
}

jest.setTimeout(FIRST_RENDER_TEST_MS);

async function fleetTable() {
  return within(
    await screen.findByRole('table', undefined, { timeout: FIRST_RENDER_MS }),
  );
}

function rowOf(table: ReturnType<typeof within>, text: string) {
  return within(table.getByText(text).closest('tr') as HTMLElement);
}

describe('MlFleetPage', () => {
  it('lists every endpoint with owner, health, uptime, latency and replicas', async () => {
    await renderPage();
    const table = await fleetTable();
    expect(
      screen.getByText('ML services: 4 of 4 endpoints'),
    ).toBeInTheDocument();

    const churn = rowOf(table, 'primary');
    expect(churn.getByRole('link', { name: /Churn model/ })).toHaveAttribute(
      'href',
      '/catalog/default/component/churn-model',
    );
    expect(churn.getByRole('link', { name: /team-churn/ })).toHaveAttribute(
      'href',
      '/catalog/default/group/team-churn',
    );
    expect(churn.getByText('Healthy')).toBeInTheDocument();
    expect(churn.getByText('99.87%')).toBeInTheDocument();
    expect(churn.getByText('61 ms')).toBeInTheDocument();
    await waitFor(() => expect(churn.getByText('3/3')).toBeInTheDocument());

    const fraud = rowOf(table, 'prod');
    expect(fraud.getByText('Down')).toBeInTheDocument();
    expect(fraud.getByText('81.25%')).toBeInTheDocument();

    const price = rowOf(table, 'dev');
    expect(price.getByText('Unknown')).toBeInTheDocument();
    expect(price.getAllByText('—')).toHaveLength(3);
  });

  /** The fleet page of one service: the churn model with dev and prod. */
  async function renderServiceFleet(service: {
    entity: Entity;
    kubernetes: unknown;
    clusters: string[];
    health(): EntityHealthResponse;
  }) {
    const { entity, kubernetes, clusters } = service;
    const fleet: FleetResponse = {
      generatedAt: '2026-11-21T11:59:40.000Z',
      items: [
        {
          entityRef: 'component:default/churn-model',
          title: 'Churn model',
          owner: 'group:default/team-churn',
          endpoints: service.health().endpoints,
        },
      ],
    };
    await renderPage({
      apis: [[catalogApiRef, catalogApiMock({ entities: [entity] })]],
      mlopsApi: fakeMlopsApi({ getFleet: jest.fn(async () => fleet) }),
      kubernetes,
      kubernetesClusters: clusters,
    });
    return fleetTable();
  }

  async function filterByHealth(state: string) {
    await userEvent.selectOptions(
      screen.getByRole('combobox', { name: 'Filter by health' }),
      state,
    );
  }

  it.each([
    ['awaiting approval while dev runs', PROD_AWAITING_APPROVAL],
    [
      'before its cluster exists (the prober found no state)',
      PROD_CLUSTER_NOT_CREATED,
    ],
  ])(
    'says "not deployed yet", as the service page does, for prod %s',
    async (_case, service) => {
      const table = await renderServiceFleet(service);
      const prod = rowOf(table, 'prod');
      await waitFor(() =>
        expect(prod.getByText('Not deployed yet')).toBeInTheDocument(),
      );
      expect(prod.queryByText('Down')).not.toBeInTheDocument();
      expect(prod.queryByText('0.00%')).not.toBeInTheDocument();
      expect(rowOf(table, 'dev').getByText('Healthy')).toBeInTheDocument();

      await filterByHealth('not-deployed');
      expect(
        screen.getByText('ML services: 1 of 2 endpoints'),
      ).toBeInTheDocument();
    },
  );

  it('says "rolling out", as the service page does, during prod\'s first rollout', async () => {
    const table = await renderServiceFleet(PROD_FIRST_ROLLOUT);
    const prod = rowOf(table, 'prod');
    await waitFor(() =>
      expect(prod.getByText('Rolling out')).toBeInTheDocument(),
    );
    expect(prod.queryByText('0.00%')).not.toBeInTheDocument();

    await filterByHealth('rolling-out');
    expect(
      screen.getByText('ML services: 1 of 2 endpoints'),
    ).toBeInTheDocument();
  });

  it('filters by health', async () => {
    await renderPage();
    await fleetTable();
    await userEvent.selectOptions(
      screen.getByRole('combobox', { name: 'Filter by health' }),
      'down',
    );
    const table = await fleetTable();
    expect(table.getByText('prod')).toBeInTheDocument();
    expect(table.queryByText('primary')).not.toBeInTheDocument();
    expect(
      screen.getByText('ML services: 1 of 4 endpoints'),
    ).toBeInTheDocument();
  });

  it('filters by environment and owner', async () => {
    await renderPage();
    await fleetTable();
    await userEvent.selectOptions(
      screen.getByRole('combobox', { name: 'Filter by environment' }),
      'staging',
    );
    expect(
      screen.getByText('ML services: 1 of 4 endpoints'),
    ).toBeInTheDocument();
    await userEvent.selectOptions(
      screen.getByRole('combobox', { name: 'Filter by owner' }),
      'group:default/team-risk',
    );
    expect(
      screen.getByText('No ML service matches these filters.'),
    ).toBeInTheDocument();
  });

  it('searches names, owners and URLs', async () => {
    await renderPage();
    await fleetTable();
    await userEvent.type(
      screen.getByRole('searchbox', { name: 'Search ML services' }),
      'pricing',
    );
    const table = await fleetTable();
    expect(table.getByText('dev')).toBeInTheDocument();
    expect(
      screen.getByText('ML services: 1 of 4 endpoints'),
    ).toBeInTheDocument();
  });

  it('works without the Kubernetes plugin, saying replicas need it', async () => {
    await renderPage({ kubernetes: null });
    const table = await fleetTable();
    expect(
      screen.getByText(/Replica counts need the Kubernetes plugin/),
    ).toBeInTheDocument();
    expect(rowOf(table, 'primary').getByText('Healthy')).toBeInTheDocument();
  });

  it('explains an empty fleet', async () => {
    await renderPage({
      mlopsApi: fakeMlopsApi({
        getFleet: jest.fn(async () => ({ items: [] })),
      }),
    });
    expect(await screen.findByText('No ML services yet')).toBeInTheDocument();
    expect(
      screen.getByText(/mlops\/inference-url or mlops\/kubernetes-service/),
    ).toBeInTheDocument();
  });

  it('shows backend errors', async () => {
    const error = await backstageError(
      503,
      'ServiceUnavailableError',
      'store offline',
    );
    await renderPage({
      mlopsApi: fakeMlopsApi({ getFleet: jest.fn().mockRejectedValue(error) }),
    });
    expect(await screen.findAllByText(/store offline/)).not.toHaveLength(0);
  });

  it('says how to install the backend plugin when nothing answers at /api/mlops', async () => {
    const error = await emptyNotFoundError();
    await renderPage({
      mlopsApi: fakeMlopsApi({ getFleet: jest.fn().mockRejectedValue(error) }),
    });
    expect(
      await screen.findByText(
        /The mlops backend plugin does not answer at \/api\/mlops/,
      ),
    ).toBeInTheDocument();
    expect(
      screen.queryByText(/Request failed with 404/),
    ).not.toBeInTheDocument();
  });
});
