import {
  datasetKeyPattern,
  githubOidcIssuer,
  githubTrustPolicy,
  trustedSubjects,
} from './ciRoleDocuments';
import { ciRoleNames } from './ciRoleSet';
import {
  checkBranch,
  checkDatasetUri,
  checkEnvironmentName,
  checkGithubHost,
  checkGithubOwner,
  checkGithubRepo,
  MAX_ROLE_NAME_LENGTH,
} from './githubValidation';

describe('GitHub and CI-role input rules', () => {
  it.each(['acme', 'a', 'octo-org', 'Acme-Corp-2', 'a'.repeat(39)])(
    'accepts owner %s',
    owner => expect(checkGithubOwner(owner)).toBeUndefined(),
  );

  it.each(['churn-model', 'my.repo', 'repo_1', '.github', 'A'])(
    'accepts repository %s',
    repo => expect(checkGithubRepo(repo)).toBeUndefined(),
  );

  it.each(['main', 'trunk', 'release/1.2', 'feature/x_y-z', 'v2.x'])(
    'accepts branch %s',
    branch => expect(checkBranch(branch)).toBeUndefined(),
  );

  it.each(['dev', 'staging', 'prod', 'qa-1', 'Production'])(
    'accepts environment %s',
    env => expect(checkEnvironmentName(env)).toBeUndefined(),
  );

  it.each([
    's3://acme-data/churn/2024/data.csv',
    's3://my.dotted.bucket/data.csv',
    's3://data/team (a)/x=1,y@2/file+v2!.csv',
  ])('accepts dataset %s', uri => expect(checkDatasetUri(uri)).toBeUndefined());

  it("keeps the template's longest names within IAM's limit", () => {
    const names = ciRoleNames('a'.repeat(40), ['dev', 'staging', 'prod'], true);
    expect(Math.max(...names.map(n => n.length))).toBe(61);
    expect(61).toBeLessThanOrEqual(MAX_ROLE_NAME_LENGTH);
  });

  it('reads the dataset folder, or the object alone at the bucket root', () => {
    expect(datasetKeyPattern('churn/2024/data.csv')).toBe('churn/2024/*');
    expect(datasetKeyPattern('data.csv')).toBe('data.csv');
  });

  it('lists the subjects a trust policy names under any operator', () => {
    expect(
      trustedSubjects({
        Statement: [
          {
            Condition: {
              StringLike: {
                'token.actions.githubusercontent.com:sub': 'repo:acme/*',
              },
              StringEquals: {
                'token.actions.githubusercontent.com:sub': ['repo:b', 'repo:a'],
              },
            },
          },
        ],
      }),
    ).toEqual(['repo:a', 'repo:acme/*', 'repo:b']);
    expect(trustedSubjects(undefined)).toEqual([]);
  });

  it("lists the subjects under another issuer's condition key", () => {
    expect(
      trustedSubjects({
        Statement: [
          {
            Condition: {
              StringEquals: {
                'github.example.com/_services/token:aud': 'sts.amazonaws.com',
                'github.example.com/_services/token:sub': 'repo:acme/x:ref',
              },
            },
          },
        ],
      }),
    ).toEqual(['repo:acme/x:ref']);
  });
});

describe("a GitHub instance's Actions OIDC issuer", () => {
  it.each([
    ['github.com', 'token.actions.githubusercontent.com'],
    ['GitHub.com', 'token.actions.githubusercontent.com'],
    // GHE.com (data residency): GitHub's "Substituted values on GHE.com".
    ['octocorp.ghe.com', 'token.actions.octocorp.ghe.com'],
    // GitHub Enterprise Server: iss is https://HOSTNAME/_services/token.
    ['github.example.com', 'github.example.com/_services/token'],
    ['GHE.Example.COM', 'ghe.example.com/_services/token'],
  ])('of %s is %s', (host, issuer) => {
    expect(checkGithubHost(host)).toBeUndefined();
    expect(githubOidcIssuer(host)).toBe(issuer);
  });

  it.each([
    ['github.com', 'token.actions.githubusercontent.com/acme-corp'],
    ['octocorp.ghe.com', 'token.actions.octocorp.ghe.com'],
    ['github.example.com', 'github.example.com/_services/token'],
  ])(
    'of %s, for an enterprise with its unique issuer URL, is %s',
    (host, issuer) => {
      expect(githubOidcIssuer(host, 'acme-corp')).toBe(issuer);
    },
  );

  it('names the provider with its path and prefixes the condition keys with it', () => {
    const provider = {
      arn: 'arn:aws:iam::123456789012:oidc-provider/github.example.com/_services/token',
      issuer: githubOidcIssuer('github.example.com'),
    };
    expect(
      githubTrustPolicy(provider, ['repo:acme/x:pull_request']).Statement,
    ).toEqual([
      {
        Sid: 'GithubActionsOidc',
        Effect: 'Allow',
        Principal: { Federated: provider.arn },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: {
            'github.example.com/_services/token:aud': 'sts.amazonaws.com',
            'github.example.com/_services/token:sub':
              'repo:acme/x:pull_request',
          },
        },
      },
    ]);
  });

  it.each([
    ['https://github.example.com', /without scheme, port or path/],
    ['github.example.com:8443', /without scheme, port or path/],
    ['github.example.com/acme', /without scheme, port or path/],
    ['localhost', /without scheme, port or path/],
    [
      'api.github.com',
      /is a host of github\.com, not a GitHub instance: give github\.com/,
    ],
    ['token.actions.githubusercontent.com', /give github\.com/],
    ['ghe.com', /must be the enterprise's own host <subdomain>\.ghe\.com/],
    ['api.octocorp.ghe.com', /not api\.<subdomain>\.ghe\.com/],
  ])('refuses host %s', (host, rule) =>
    expect(checkGithubHost(host)).toMatch(rule),
  );
});
