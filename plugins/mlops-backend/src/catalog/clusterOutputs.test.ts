import { clusterFromState } from './clusterOutputs';

function state(endpoint: string, region = 'eu-west-1'): string {
  const output = (value: unknown) => ({ value, type: 'string' });
  return JSON.stringify({
    version: 4,
    outputs: {
      cluster_name: output('churn-model-prod'),
      cluster_endpoint: output(endpoint),
      cluster_certificate_authority_data: output('LS0tLS1CRUdJTg=='),
      cluster_created: { value: true, type: 'bool' },
      aws_region: output(region),
    },
  });
}

describe('clusterFromState', () => {
  it('takes an EKS API server in the state region', () => {
    const endpoint = 'https://0123456789ABCDEF.gr7.eu-west-1.eks.amazonaws.com';
    expect(clusterFromState(state(endpoint))).toMatchObject({
      kind: 'cluster',
      cluster: { name: 'churn-model-prod', endpoint, region: 'eu-west-1' },
    });
    expect(
      clusterFromState(
        state(
          'https://ABCDEF.yl4.cn-north-1.eks.amazonaws.com.cn',
          'cn-north-1',
        ),
      ).kind,
    ).toBe('cluster');
  });

  it.each([
    [
      'another host',
      'https://collector.attacker.example',
      /is not an EKS API server .*: collector\.attacker\.example$/,
    ],
    [
      'a look-alike host',
      'https://x.gr7.eu-west-1.eks.amazonaws.com.attacker.example',
      /is not an EKS API server/,
    ],
    [
      'a port',
      'https://x.gr7.eu-west-1.eks.amazonaws.com:8443',
      /is not an EKS API server/,
    ],
    [
      'credentials',
      'https://u:p@x.gr7.eu-west-1.eks.amazonaws.com',
      /is not an EKS API server/,
    ],
    [
      'plain http',
      'http://x.gr7.eu-west-1.eks.amazonaws.com',
      /is not an https:\/\/ URL/,
    ],
    [
      'another region',
      'https://x.gr7.us-east-1.eks.amazonaws.com',
      /is in us-east-1, not in the state's region eu-west-1/,
    ],
  ])(
    'refuses an endpoint with %s: Backstage would sign an EKS token for it',
    (_, endpoint, reason) => {
      const result = clusterFromState(state(endpoint));
      expect(result.kind).toBe('invalid');
      expect(result.kind === 'invalid' && result.reason).toMatch(reason);
    },
  );
});
