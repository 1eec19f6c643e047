import { Content } from '@backstage/core-components';
import {
  compatWrapper,
  convertLegacyRouteRef,
} from '@backstage/core-compat-api';
import { PageBlueprint } from '@backstage/frontend-plugin-api';
import { rootRouteRef } from '../routes';

/**
 * The fleet page at `/ml-services`; the app's page layout supplies the header.
 *
 * @alpha
 */
export const mlopsFleetPage = PageBlueprint.make({
  params: {
    path: '/ml-services',
    title: 'ML services',
    routeRef: convertLegacyRouteRef(rootRouteRef),
    loader: () =>
      import('../components/MlFleetPage').then(m =>
        compatWrapper(
          <Content>
            <m.MlFleetContent />
          </Content>,
        ),
      ),
  },
});
