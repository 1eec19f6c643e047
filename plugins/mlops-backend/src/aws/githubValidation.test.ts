import { datasetKeyPattern, trustedSubjects } from './ciRoleDocuments';
import { ciRoleNames } from './ciRoleSet';
import {
  checkBranch,
  checkDatasetUri,
  checkEnvironmentName,
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
});
