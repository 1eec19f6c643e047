import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { ScmIntegrations } from '@backstage/integration';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { LocalGitRepositories } from './LocalGitRepositories';
import { createLocalPublishAction } from './localPublishAction';

/** The local demo's `publish:github`, writing to local bare repositories. */
export const scaffolderModuleLocalPublish = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'local-publish',
  register(reg) {
    reg.registerInit({
      deps: {
        scaffolder: scaffolderActionsExtensionPoint,
        config: coreServices.rootConfig,
      },
      async init({ scaffolder, config }) {
        scaffolder.addActions(
          createLocalPublishAction({
            repositories: new LocalGitRepositories(
              config.getString('localDemo.publish.directory'),
            ),
            integrations: ScmIntegrations.fromConfig(config),
          }),
        );
      },
    });
  },
});
