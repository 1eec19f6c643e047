import {
  coreServices,
  createBackendFeatureLoader,
} from '@backstage/backend-plugin-api';
import { localGitHubApiPlugin } from './localGitHubApi';
import { localGitUrlReader } from './localGitUrlReader';
import { scaffolderModuleLocalPublish } from './module';

/**
 * How new repositories are published: to GitHub through the GitHub scaffolder
 * module, or, when `localDemo.publish` is configured, to bare git repositories
 * on this machine, which the catalog then reads back. There the GitHub
 * module's `github:environment:create` and `github:actions:dispatch` are local
 * stand-ins that record what GitHub would have done and run nothing, and
 * `/api/local-github` answers the GitHub REST API reads of other actions.
 */
export const publishingFeatures = createBackendFeatureLoader({
  deps: { config: coreServices.rootConfig },
  *loader({ config }) {
    if (config.has('localDemo.publish')) {
      yield scaffolderModuleLocalPublish;
      yield localGitUrlReader;
      yield localGitHubApiPlugin;
    } else {
      yield import('@backstage/plugin-scaffolder-backend-module-github');
    }
  },
});
