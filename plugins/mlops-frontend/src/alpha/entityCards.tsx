import { compatWrapper } from '@backstage/core-compat-api';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { isMlServiceAvailable } from '../isMlServiceAvailable';

/**
 * The ML service card, shown on entities with an inference endpoint.
 *
 * @alpha
 */
export const mlopsEntityCard = EntityCardBlueprint.make({
  name: 'ml-service',
  params: {
    type: 'info',
    filter: isMlServiceAvailable,
    loader: () =>
      import('../components/EntityMlServiceCard').then(m =>
        compatWrapper(<m.EntityMlServiceCard />),
      ),
  },
});
