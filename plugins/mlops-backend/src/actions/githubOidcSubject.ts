import { Config } from '@backstage/config';
import { LoggerService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import {
  DefaultGithubCredentialsProvider,
  ScmIntegrations,
} from '@backstage/integration';
import {
  getOctokitClient,
  getOctokitOptions,
} from '@backstage/plugin-scaffolder-backend-module-github';
import {
  createTemplateAction,
  parseRepoUrl,
} from '@backstage/plugin-scaffolder-node';
import { githubOidcIssuer } from '../aws/ciRoleDocuments';
import { readGithubEnterpriseSlug } from '../aws/githubCiConfig';
import { OidcSubject, readOidcSubject } from '../github/oidcSubject';
import { FieldSpec, withTitles, zodFields } from './fields';
import { examples } from './githubOidcSubject.examples';

const inputs = {
  repoUrl: {
    title: 'Repository location',
    description:
      'The GitHub repository, as publish:github takes it: github.com?owner=acme&repo=churn-model.',
    type: z => z.string(),
  },
  token: {
    title: 'Token',
    description:
      "A GitHub token to read the repository with; by default the GitHub integration's credentials for its host.",
    type: z => z.string().optional(),
  },
} satisfies Record<string, FieldSpec>;

const outputs = {
  subjectPrefix: {
    title: 'OIDC subject prefix',
    description:
      "What the repository's workflows present before the context (:environment:prod, :ref:refs/heads/main): " +
      'repo:OWNER/REPO, or repo:OWNER@ID/REPO@ID for repositories with immutable subject claims (every repository created since mid-2026).',
    type: z => z.string(),
  },
  immutable: {
    title: 'Immutable subject',
    description:
      "Whether the subject carries the owner's and the repository's IDs.",
    type: z => z.boolean(),
  },
  repository: {
    title: 'Repository',
    description: 'OWNER/REPO as GitHub spells it.',
    type: z => z.string(),
  },
  issuer: {
    title: 'OIDC issuer',
    description:
      "The issuer of the repository's workflows' OIDC tokens without https://, as IAM names it (the provider's ARN ends in " +
      'oidc-provider/<issuer>): token.actions.githubusercontent.com (…/<slug> with mlops.github.enterpriseSlug), ' +
      'token.actions.<subdomain>.ghe.com, or <host>/_services/token.',
    type: z => z.string(),
  },
} satisfies Record<string, FieldSpec>;

/** The repository a `repoUrl` names on a GitHub integration's host. */
function githubRepository(repoUrl: string, integrations: ScmIntegrations) {
  const { host, owner, repo } = parseRepoUrl(repoUrl, integrations);
  if (!integrations.github.byHost(host) || !owner) {
    throw new InputError(
      `repoUrl "${repoUrl}" does not name a repository on a GitHub host; configure integrations.github for ${host}, or give github.com?owner=OWNER&repo=REPO`,
    );
  }
  return { host, owner, repo };
}

/**
 * A dry run does not ask GitHub: the repository it would read is the one the
 * task's publish step has not created (a dry run publishes nothing).
 */
function dryRunSubject(
  owner: string,
  repo: string,
  logger: LoggerService,
): OidcSubject {
  logger.info(
    `[dry run] Not asking GitHub: answering the name-only subject of ${owner}/${repo}. ` +
      "A real run reads it once the repository exists, with the repository's ID when GitHub mints immutable subjects.",
  );
  return {
    prefix: `repo:${owner}/${repo}`,
    immutable: false,
    repository: `${owner}/${repo}`,
  };
}

/**
 * Creates the `mlops:github-oidc:subject` action: reads from GitHub the
 * OIDC subject prefix a repository's workflows present, for the trust of the
 * roles they assume (`subjectPrefix` of `mlops:github-oidc:ensure`). Run it
 * once the repository exists: since GitHub's immutable subject claims, a new
 * repository's subject names its ID, which only GitHub knows. A dry run
 * answers the name-only form without asking GitHub. Also outputs the tokens'
 * issuer, from the repository's host and `mlops.github.enterpriseSlug`.
 *
 * @public
 */
export function createGithubOidcSubjectAction(options: { config: Config }) {
  const integrations = ScmIntegrations.fromConfig(options.config);
  const credentials =
    DefaultGithubCredentialsProvider.fromIntegrations(integrations);
  // Read when the backend starts: a wrong slug must not fail a task after publish:github made the repository.
  const enterpriseSlug = readGithubEnterpriseSlug(options.config);

  const action = createTemplateAction({
    id: 'mlops:github-oidc:subject',
    description:
      "Reads the OIDC subject prefix a GitHub repository's workflows present (repo:OWNER@ID/REPO@ID since " +
      "GitHub's immutable subject claims, repo:OWNER/REPO before), for the trust policies of the roles they assume.",
    examples,
    supportsDryRun: true,
    schema: { input: zodFields(inputs), output: zodFields(outputs) },
    async handler(ctx) {
      const { host, owner, repo } = githubRepository(
        ctx.input.repoUrl,
        integrations,
      );
      const issuer = githubOidcIssuer(host, enterpriseSlug);
      const client = async () =>
        getOctokitClient(
          await getOctokitOptions({
            integrations,
            credentialsProvider: credentials,
            token: ctx.input.token,
            host,
            owner,
            repo,
          }),
          ctx.logger,
          // The client retries server errors itself; the module's extra retry layer retries every
          // failure, "not found" included, and with it a 404 in our tests never settled.
          { retries: 0 },
        );
      const subject = ctx.isDryRun
        ? dryRunSubject(owner, repo, ctx.logger)
        : await readOidcSubject(await client(), owner, repo).catch(error => {
            ctx.logger.warn(
              `Until this step succeeds, roles made for ${owner}/${repo} before it trust no workflow of it ` +
                `(made untrusted, or trusting the name-only subject repo:${owner}/${repo}:…, which a repository with immutable subject claims never presents): ` +
                'once the cause below is fixed, run mlops:github-oidc:ensure again with the subjectPrefix this action outputs.',
            );
            throw error;
          });
      const kind = subject.immutable ? ' (immutable subject claims)' : '';
      ctx.logger.info(
        `Workflows of ${subject.repository} present the OIDC subject ${subject.prefix}:<context>${kind}, in tokens of https://${issuer}`,
      );
      ctx.output('subjectPrefix', subject.prefix);
      ctx.output('immutable', subject.immutable);
      ctx.output('repository', subject.repository);
      ctx.output('issuer', issuer);
    },
  });
  return withTitles(action, inputs, outputs);
}
