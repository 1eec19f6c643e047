import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { ScmIntegrations } from '@backstage/integration';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { LocalGitRepositories } from './LocalGitRepositories';
import { createLocalDispatchAction } from './localDispatchAction';
import { createLocalEnvironmentAction } from './localEnvironmentAction';
import { createLocalPublishAction } from './localPublishAction';
import { RecordedGitHubSettings } from './RecordedGitHubSettings';

/**
 * The local demo's GitHub stand-ins: `publish:github` writing to local bare
 * repositories, and `github:environment:create` and `github:actions:dispatch`
 * recording what GitHub would have done beside them.
 */
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
        const settings = new RecordedGitHubSettings(
          new LocalGitRepositories(
            config.getString('localDemo.publish.directory'),
          ),
        );
        const integrations = ScmIntegrations.fromConfig(config);
        scaffolder.addActions(
          createLocalPublishAction({ settings, integrations }),
          createLocalEnvironmentAction({ settings, integrations }),
          createLocalDispatchAction({ settings, integrations }),
        );
      },
    });
  },
});
