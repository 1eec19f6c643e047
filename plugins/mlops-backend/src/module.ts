import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { createEcrEnsureAction } from './actions/ecrEnsure';
import { createTfstateEnsureAction } from './actions/tfstateEnsure';

/**
 * Scaffolder module registering `mlops:tfstate:ensure` and `mlops:ecr:ensure`.
 *
 * @public
 */
export const scaffolderModuleMlops = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'mlops',
  register({ registerInit }) {
    registerInit({
      deps: {
        scaffolder: scaffolderActionsExtensionPoint,
        config: coreServices.rootConfig,
      },
      async init({ scaffolder, config }) {
        scaffolder.addActions(
          createTfstateEnsureAction({ config }),
          createEcrEnsureAction({ config }),
        );
      },
    });
  },
});
