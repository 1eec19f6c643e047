import { planStatePolicy } from './ciRoleDocuments';

describe('planStatePolicy', () => {
  const scope = { partition: 'aws', accountId: '123456789012' };
  const state = {
    bucket: 'acme-tfstate',
    keyPrefix: 'churn',
    region: 'eu-west-1',
  };
  const statement = (
    document: ReturnType<typeof planStatePolicy>,
    sid: string,
  ) => document.Statement.find(s => s.Sid === sid);

  it('denies data reads everywhere but the state', () => {
    const guard = statement(
      planStatePolicy(scope, state),
      'NoDataReadsOutsideState',
    );

    expect(guard).toMatchObject({
      Effect: 'Deny',
      NotResource: ['arn:aws:s3:::acme-tfstate/churn/*'],
    });
    expect(guard?.Resource).toBeUndefined();
  });

  it('leaves the legacy lock table readable, as Terraform checks its digest when planning', () => {
    const document = planStatePolicy(scope, {
      ...state,
      lockTable: 'terraform-locks',
    });
    const table =
      'arn:aws:dynamodb:eu-west-1:123456789012:table/terraform-locks';

    expect(statement(document, 'NoDataReadsOutsideState')?.NotResource).toEqual(
      ['arn:aws:s3:::acme-tfstate/churn/*', table],
    );
    expect(statement(document, 'LegacyStateLockTable')).toMatchObject({
      Effect: 'Allow',
      Action: ['dynamodb:GetItem'],
      Resource: table,
    });
  });
});
