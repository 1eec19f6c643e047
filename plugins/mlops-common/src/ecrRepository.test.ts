import { parseEcrRepositoryUri } from './ecrRepository';

describe('parseEcrRepositoryUri', () => {
  it('reads the account, region and name of mlops/ecr-repository', () => {
    expect(
      parseEcrRepositoryUri(
        ' 123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/churn-model ',
      ),
    ).toEqual({
      accountId: '123456789012',
      region: 'eu-west-1',
      repositoryName: 'team/churn-model',
    });
    expect(
      parseEcrRepositoryUri(
        '123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/churn',
      ),
    ).toMatchObject({ region: 'cn-north-1', repositoryName: 'churn' });
  });

  it.each([
    undefined,
    '',
    'churn-model',
    '123456789012.dkr.ecr.eu-west-1.amazonaws.com/',
    'ghcr.io/acme/churn-model',
    '123456789012.dkr.ecr.eu-west-1.amazonaws.com/churn-model:latest',
  ])('gives nothing for %p', value => {
    expect(parseEcrRepositoryUri(value)).toBeUndefined();
  });
});
