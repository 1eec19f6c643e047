import { coversHost, certificateUseProblems } from './acmCertificate';

const WHERE = { accountId: '123456789012', region: 'eu-west-1' };
const HOSTS = [
  { environment: 'dev', host: 'dev-churn.ml.example.com' },
  { environment: 'prod', host: 'churn.ml.example.com' },
];

describe('coversHost', () => {
  it.each([
    ['churn.ml.example.com', 'churn.ml.example.com', true],
    ['Churn.ML.example.com', 'churn.ml.EXAMPLE.com', true],
    ['*.ml.example.com', 'dev-churn.ml.example.com', true],
    ['*.ml.example.com', 'ml.example.com', false],
    ['*.example.com', 'churn.ml.example.com', false],
    ['churn.ml.example.com', 'dev-churn.ml.example.com', false],
    ['*.ml.example.com', '.ml.example.com', false],
  ])('%s covers %s: %s', (name, host, covered) => {
    expect(coversHost(name, host)).toBe(covered);
  });
});

describe('certificateUseProblems', () => {
  it('finds nothing against an issued certificate that covers every host', () => {
    expect(
      certificateUseProblems(
        { Status: 'ISSUED', DomainName: '*.ml.example.com' },
        WHERE,
        HOSTS,
      ),
    ).toEqual([]);
  });

  it.each(['EXPIRED', 'REVOKED', 'FAILED', 'INACTIVE', 'VALIDATION_TIMED_OUT'])(
    'refuses a certificate that is %s, asking for a new one',
    status => {
      expect(
        certificateUseProblems(
          { Status: status as 'EXPIRED', DomainName: '*.ml.example.com' },
          WHERE,
          HOSTS,
        ),
      ).toEqual([
        {
          field: 'certificateArn',
          message: `is ${status} in ACM, and a load balancer serves only issued certificates: request or import a new certificate and give its ARN`,
        },
      ]);
    },
  );

  it('checks coverage only when the service has a host', () => {
    expect(
      certificateUseProblems(
        { Status: 'ISSUED', DomainName: 'other.example.org' },
        WHERE,
        [],
      ),
    ).toEqual([]);
  });
});
