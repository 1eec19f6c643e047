import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { ecrEnsureAction } from './actions/ecrEnsure';
import { githubOidcEnsureAction } from './actions/githubOidcEnsure';
import { createGithubOidcSubjectAction } from './actions/githubOidcSubject';
import { mlServiceValidateAction } from './actions/mlServiceValidate';
import { tfstateEnsureAction } from './actions/tfstateEnsure';
import { AwsClientFactory } from './aws/AwsClientFactory';

/**
 * Scaffolder module registering `mlops:tfstate:ensure`, `mlops:ecr:ensure`,
 * `mlops:github-oidc:ensure`, `mlops:github-oidc:subject` and
 * `mlops:ml-service:validate`.
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
        const awsClientFactory = AwsClientFactory.fromConfig(config);
        scaffolder.addActions(
          tfstateEnsureAction(awsClientFactory),
          ecrEnsureAction(awsClientFactory),
          githubOidcEnsureAction(awsClientFactory, config),
          createGithubOidcSubjectAction({ config }),
          mlServiceValidateAction(awsClientFactory),
        );
      },
    });
  },
});
