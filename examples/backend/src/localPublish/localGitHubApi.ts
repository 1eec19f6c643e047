import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { createHash } from 'node:crypto';
import { Router } from 'express';
import { LocalGitRepositories } from './LocalGitRepositories';

/** The host the local publish action stands in for. */
const HOST = 'github.com';

/** A stable ID for a name, as GitHub gives each owner and repository one. */
export function standInId(name: string): number {
  return (
    100_000 +
    (parseInt(
      createHash('sha256').update(name.toLowerCase()).digest('hex').slice(0, 8),
      16,
    ) %
      900_000)
  );
}

/**
 * The GitHub REST API for the repositories the local publish action made:
 * `GET /repos/{owner}/{repo}` and its OIDC subject template, which, as GitHub
 * does for every repository created since its immutable subject claims,
 * carries the owner's and the repository's IDs. Mounted at
 * `/api/local-github`, the demo's `integrations.github` apiBaseUrl.
 */
export function localGitHubApiRouter(repositories: LocalGitRepositories) {
  const router = Router();
  router.get('/repos/:owner/:repo', (req, res) => {
    const { owner, repo } = req.params;
    if (!repositories.has({ host: HOST, owner, repo })) {
      res.status(404).json({ message: 'Not Found' });
      return;
    }
    res.json({
      id: standInId(`${owner}/${repo}`),
      name: repo,
      full_name: `${owner}/${repo}`,
      owner: { login: owner, id: standInId(owner) },
    });
  });
  router.get(
    '/repos/:owner/:repo/actions/oidc/customization/sub',
    (req, res) => {
      const { owner, repo } = req.params;
      if (!repositories.has({ host: HOST, owner, repo })) {
        res.status(404).json({ message: 'Not Found' });
        return;
      }
      res.json({
        use_default: true,
        use_immutable_subject: true,
        sub_claim_prefix: `repo:${owner}@${standInId(
          owner,
        )}/${repo}@${standInId(`${owner}/${repo}`)}`,
      });
    },
  );
  return router;
}

/** The local demo's GitHub REST API stand-in; see {@link localGitHubApiRouter}. */
export const localGitHubApiPlugin = createBackendPlugin({
  pluginId: 'local-github',
  register(reg) {
    reg.registerInit({
      deps: {
        http: coreServices.httpRouter,
        config: coreServices.rootConfig,
      },
      async init({ http, config }) {
        http.use(
          localGitHubApiRouter(
            new LocalGitRepositories(
              config.getString('localDemo.publish.directory'),
            ),
          ),
        );
        // The scaffolder's GitHub client calls it with no Backstage token.
        http.addAuthPolicy({ path: '/', allow: 'unauthenticated' });
      },
    });
  },
});
