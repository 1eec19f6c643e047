import { compatWrapper } from '@backstage/core-compat-api';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { isMlServiceAvailable } from '../isMlServiceAvailable';

/**
 * The ML service tab, shown on entities with an inference endpoint.
 *
 * @alpha
 */
export const mlopsEntityContent = EntityContentBlueprint.make({
  name: 'ml-service',
  params: {
    path: '/ml-service',
    title: 'ML service',
    group: 'observability',
    filter: isMlServiceAvailable,
    loader: () =>
      import('../components/EntityMlServiceContent').then(m =>
        compatWrapper(<m.EntityMlServiceContent />),
      ),
  },
});
