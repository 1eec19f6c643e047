import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { MlopsClient, mlopsApiRef } from './api';
import type { EntityMlServiceCardProps } from './components/EntityMlServiceCard';
import { rootRouteRef } from './routes';

/**
 * The mlops frontend plugin, for apps on the legacy frontend system.
 *
 * @public
 */
export const mlopsPlugin = createPlugin({
  id: 'mlops',
  apis: [
    createApiFactory({
      api: mlopsApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new MlopsClient({ discoveryApi, fetchApi }),
    }),
  ],
  routes: {
    root: rootRouteRef,
  },
});

/**
 * Every ML service in the catalog with the health of its endpoints, filters
 * and search. Mount it on a route of the app, for example `/ml-services`.
 *
 * @public
 */
export const MlFleetPage: () => JSX.Element = mlopsPlugin.provide(
  createRoutableExtension({
    name: 'MlFleetPage',
    component: () =>
      import('./components/MlFleetPage').then(m => m.MlFleetPage),
    mountPoint: rootRouteRef,
  }),
);

/**
 * Compact card for an ML service's entity page: health per environment,
 * latency, uptime, model version, replicas and rollout state.
 *
 * @public
 */
export const EntityMlServiceCard: (
  props: EntityMlServiceCardProps,
) => JSX.Element = mlopsPlugin.provide(
  createComponentExtension({
    name: 'EntityMlServiceCard',
    component: {
      lazy: () =>
        import('./components/EntityMlServiceCard').then(
          m => m.EntityMlServiceCard,
        ),
    },
  }),
);

/**
 * The ML service tab of an entity page: endpoint health with history, model
 * metadata, rollout from the Kubernetes plugin, links and a predict
 * playground.
 *
 * @public
 */
export const EntityMlServiceContent: () => JSX.Element = mlopsPlugin.provide(
  createComponentExtension({
    name: 'EntityMlServiceContent',
    component: {
      lazy: () =>
        import('./components/EntityMlServiceContent').then(
          m => m.EntityMlServiceContent,
        ),
    },
  }),
);
