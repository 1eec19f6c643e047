import { createRouteRef } from '@backstage/core-plugin-api';

/**
 * Where the fleet page is mounted.
 *
 * @public
 */
export const rootRouteRef = createRouteRef({ id: 'mlops' });
