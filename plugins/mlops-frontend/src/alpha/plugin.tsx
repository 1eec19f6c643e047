import { convertLegacyRouteRef } from '@backstage/core-compat-api';
import { createFrontendPlugin } from '@backstage/frontend-plugin-api';
import MemoryIcon from '@material-ui/icons/Memory';
import { rootRouteRef } from '../routes';
import { mlopsApi } from './apis';
import { mlopsEntityCard } from './entityCards';
import { mlopsEntityContent } from './entityContents';
import { mlopsFleetPage } from './pages';

/**
 * The mlops frontend plugin for the new frontend system: the fleet page, the
 * entity card and tab, and the API client.
 *
 * @alpha
 */
export default createFrontendPlugin({
  pluginId: 'mlops',
  title: 'ML services',
  icon: <MemoryIcon />,
  info: { packageJson: () => import('../../package.json') },
  extensions: [mlopsApi, mlopsFleetPage, mlopsEntityCard, mlopsEntityContent],
  routes: { root: convertLegacyRouteRef(rootRouteRef) },
});
