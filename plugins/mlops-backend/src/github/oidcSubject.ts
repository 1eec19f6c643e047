import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import { getOctokitClient } from '@backstage/plugin-scaffolder-backend-module-github';
import { z } from 'zod/v3';

/**
 * The part of a GitHub Actions OIDC `sub` before its context
 * (`:environment:prod`, `:ref:refs/heads/main`, `:pull_request`), in the
 * default subject template: `repo:OWNER/REPO`, or, for repositories created
 * or renamed since GitHub's immutable subject claims, `repo:OWNER@ID/REPO@ID`.
 */
export const SUBJECT_PREFIX =
  /^repo:([A-Za-z0-9][A-Za-z0-9-]*)(?:@\d+)?\/([A-Za-z0-9._-]+)(?:@\d+)?$/;

/** The claim keys of GitHub's default subject template. */
const DEFAULT_CLAIM_KEYS = ['repo', 'context'];

const repositorySchema = z.object({
  id: z.number(),
  name: z.string(),
  full_name: z.string(),
  owner: z.object({
    login: z.string(),
    id: z.number(),
    type: z.string().optional(),
  }),
});

/** GitHub's answer for a repository's subject template (newer fields optional: GHES lacks them). */
const subjectTemplateSchema = z.object({
  use_default: z.boolean(),
  include_claim_keys: z.array(z.string()).optional(),
  use_immutable_subject: z.boolean().optional(),
  sub_claim_prefix: z.string().optional(),
});

/** An organisation's template: the claim keys its repositories may opt into. */
const organisationTemplateSchema = z.object({
  include_claim_keys: z.array(z.string()).optional(),
});

/** A GitHub client as the scaffolder's GitHub module makes it. */
type GithubClient = ReturnType<typeof getOctokitClient>;

export type GithubRepository = z.infer<typeof repositorySchema>;
export type SubjectTemplate = z.infer<typeof subjectTemplateSchema>;

/** The OIDC subject a repository's workflows present, up to its context. */
export interface OidcSubject {
  /** `repo:OWNER/REPO` or `repo:OWNER@ID/REPO@ID`. */
  prefix: string;
  /** Whether the prefix carries the owner's and repository's immutable IDs. */
  immutable: boolean;
  /** `OWNER/REPO` as GitHub spells it. */
  repository: string;
}

function isCustomised(template: SubjectTemplate): boolean {
  const keys = template.include_claim_keys ?? [];
  return (
    !template.use_default &&
    keys.length > 0 &&
    keys.join(',') !== DEFAULT_CLAIM_KEYS.join(',')
  );
}

/**
 * The subject prefix of `repository` under `template`: GitHub's own
 * `sub_claim_prefix` when it gives one, otherwise built from the IDs or names
 * the repository answer spells as GitHub does. A customised template (other
 * claim keys) gives subjects of another shape, which no role made from the
 * default template's subjects would trust: refused, naming both fixes.
 */
export function oidcSubjectOf(
  repository: GithubRepository,
  template: SubjectTemplate,
): OidcSubject {
  const { owner, name, id, full_name: fullName } = repository;
  if (isCustomised(template)) {
    throw new InputError(
      `GitHub repository ${fullName} uses a customised OIDC subject template (claim keys ${template.include_claim_keys!.join(
        ', ',
      )}), so its workflows present subjects the CI roles cannot trust. ` +
        `Restore the default template (gh api -X PUT repos/${fullName}/actions/oidc/customization/sub -F use_default=true), ` +
        `or choose existing CI roles that trust the customised subjects.`,
    );
  }
  const given = template.sub_claim_prefix;
  if (given !== undefined && !SUBJECT_PREFIX.test(given)) {
    throw new InputError(
      `GitHub gave the OIDC subject prefix "${given}" for ${fullName}, which is not of the form repo:OWNER[@ID]/REPO[@ID]; ` +
        'the CI roles would not match its workflows. Check the repository’s OIDC settings on GitHub.',
    );
  }
  const immutable = given
    ? given.includes('@')
    : template.use_immutable_subject === true;
  const prefix =
    given ??
    (immutable
      ? `repo:${owner.login}@${owner.id}/${name}@${id}`
      : `repo:${owner.login}/${name}`);
  return { prefix, immutable, repository: fullName };
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown }).status;
  return typeof status === 'number' ? status : undefined;
}

/** A 403 or 404 as an error naming what the credentials lack. */
function refusedAs(what: string, need: string) {
  return (error: unknown): never => {
    const status = statusOf(error);
    if (status === 403 || status === 404) {
      throw new NotAllowedError(
        `${what} (HTTP ${status}): the GitHub integration's credentials need ${need}.`,
      );
    }
    throw error;
  };
}

/**
 * `use_default: false` without claim keys: the repository opted into its
 * organisation's template, if the organisation has one.
 */
function usesOrganisationTemplate(template: SubjectTemplate): boolean {
  return !template.use_default && !template.include_claim_keys?.length;
}

/** The organisation's claim keys; none (GitHub's default) for a user's repository or an organisation without a template. */
async function organisationClaimKeys(
  octokit: GithubClient,
  repository: GithubRepository,
): Promise<string[] | undefined> {
  if (repository.owner.type !== 'Organization') return undefined;
  const org = repository.owner.login;
  return octokit
    .request('GET /orgs/{org}/actions/oidc/customization/sub', { org })
    .then(
      response =>
        organisationTemplateSchema.parse(response.data).include_claim_keys,
    )
    .catch(error => {
      if (statusOf(error) === 404) return undefined;
      return refusedAs(
        `GitHub repository ${repository.full_name} uses its organisation's OIDC subject template, which cannot be read`,
        'read access to the organisation\'s administration settings (GitHub App organisation permission "Administration: Read-only", or a token with the read:org scope)',
      )(error);
    });
}

/**
 * Reads the subject prefix a repository's workflows present: the repository
 * (its IDs and spelling), then its subject template. Needs read access to the
 * repository's Actions settings.
 */
export async function readOidcSubject(
  octokit: GithubClient,
  owner: string,
  repo: string,
): Promise<OidcSubject> {
  const repository = await octokit
    .request('GET /repos/{owner}/{repo}', { owner, repo })
    .then(response => repositorySchema.parse(response.data))
    .catch(error => {
      if (statusOf(error) === 404) {
        throw new NotFoundError(
          `GitHub repository ${owner}/${repo} does not exist, or the GitHub integration's credentials cannot read it. ` +
            'Run this step after publish:github.',
        );
      }
      throw error;
    });
  const template = await octokit
    .request('GET /repos/{owner}/{repo}/actions/oidc/customization/sub', {
      owner,
      repo,
    })
    .then(response => subjectTemplateSchema.parse(response.data))
    .catch(
      refusedAs(
        `Cannot read the OIDC subject settings of GitHub repository ${repository.full_name}`,
        'read access to the repository\'s Actions (GitHub App permission "Actions: Read-only", or a token with the repo scope)',
      ),
    );
  if (usesOrganisationTemplate(template)) {
    return oidcSubjectOf(repository, {
      ...template,
      include_claim_keys: await organisationClaimKeys(octokit, repository),
    });
  }
  return oidcSubjectOf(repository, template);
}
