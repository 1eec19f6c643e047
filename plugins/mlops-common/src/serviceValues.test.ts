import { environmentHosts, serviceValueProblems } from './serviceValues';

const fields = (values: Record<string, unknown>) =>
  serviceValueProblems(values).map(p => p.field);

describe('serviceValueProblems', () => {
  it.each([
    [
      'equal bounds',
      { nodeMinSize: 3, nodeMaxSize: 3, replicasMin: 2, replicasMax: 2 },
    ],
    [
      'limits in other units than the requests',
      {
        cpuRequest: '500m',
        cpuLimit: '1',
        memoryRequest: '512Mi',
        memoryLimit: '1Gi',
      },
    ],
    ['fractional cores', { cpuRequest: '0.5', cpuLimit: '500m' }],
    ['values left out', {}],
    [
      'a public certificate with its host',
      {
        endpointVisibility: 'public',
        certificateArn: 'arn',
        host: 'm.example.com',
      },
    ],
    [
      "a certificate in the service's account and region",
      {
        awsRegion: 'eu-west-1',
        awsAccountId: '123456789012',
        certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/x',
      },
    ],
    [
      "a host whose prefixed first label is just within DNS's 63 characters",
      {
        host: `${'a'.repeat(55)}.example.com`,
        environments: ['dev', 'staging', 'prod'],
      },
    ],
    [
      'a long host in a single environment, which gets no prefix',
      { host: `${'a'.repeat(63)}.example.com`, environments: ['prod'] },
    ],
    [
      'an internal certificate without a host',
      { endpointVisibility: 'internal', certificateArn: 'arn' },
    ],
    [
      'roles in another account while the roles are created',
      {
        awsAccountId: '123456789012',
        ciRoles: 'create',
        existingPlanRoleArn: 'arn:aws:iam::999999999999:role/plan',
      },
    ],
    [
      'source ranges for a public endpoint deployed from a self-hosted runner',
      {
        endpointVisibility: 'public',
        inboundCidrs: ['203.0.113.0/24', '198.51.100.7/32', '0.0.0.0/0'],
        deployRunsOn: 'vpc-runner',
      },
    ],
    [
      'a GitHub-hosted deploy runner without source ranges',
      {
        endpointVisibility: 'public',
        inboundCidrs: [],
        deployRunsOn: 'ubuntu-24.04',
      },
    ],
  ])('accepts %s', (_description, values) => {
    expect(serviceValueProblems(values)).toEqual([]);
  });

  it.each([
    [
      'max nodes below min',
      { nodeMinSize: 4, nodeMaxSize: 2 },
      ['nodeMaxSize'],
    ],
    [
      'max replicas below min',
      { replicasMin: '5', replicasMax: '2' },
      ['replicasMax'],
    ],
    [
      'CPU limit in millicores below a request in cores',
      { cpuRequest: '2', cpuLimit: '1500m' },
      ['cpuLimit'],
    ],
    [
      'memory limit in Mi below a request in Gi',
      { memoryRequest: '1Gi', memoryLimit: '1000Mi' },
      ['memoryLimit'],
    ],
    [
      'a public certificate without a host',
      { endpointVisibility: 'public', certificateArn: 'arn', host: '' },
      ['host'],
    ],
    [
      'existing roles in another account',
      {
        awsAccountId: '123456789012',
        ciRoles: 'existing',
        existingPlanRoleArn: 'arn:aws:iam::999999999999:role/plan',
        existingTerraformRoleArns: {
          dev: 'arn:aws:iam::123456789012:role/dev',
          prod: 'arn:aws-cn:iam::888888888888:role/prod',
        },
      },
      ['existingPlanRoleArn', 'existingTerraformRoleArns.prod'],
    ],
    [
      'a certificate in another region',
      {
        awsRegion: 'eu-west-1',
        certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/x',
      },
      ['certificateArn'],
    ],
    [
      'a certificate in another account and region',
      {
        awsRegion: 'eu-west-1',
        awsAccountId: '123456789012',
        certificateArn: 'arn:aws:acm:us-east-1:999999999999:certificate/x',
      },
      ['certificateArn', 'certificateArn'],
    ],
    [
      "a host whose first label leaves no room for the longest environment's prefix",
      {
        host: `${'a'.repeat(56)}.example.com`,
        environments: ['dev', 'staging', 'prod'],
      },
      ['host'],
    ],
    [
      "a host that grows past DNS's 253 characters with its prefix",
      { host: `${'a.'.repeat(125)}com`, environments: ['dev', 'prod'] },
      ['host'],
    ],
    [
      'source ranges for an internal endpoint',
      {
        endpointVisibility: 'internal',
        inboundCidrs: ['10.20.0.0/16'],
        deployRunsOn: 'vpc-runner',
      },
      ['inboundCidrs'],
    ],
    [
      'a source range whose host bits are set',
      {
        endpointVisibility: 'public',
        inboundCidrs: ['203.0.113.0/24', '198.51.100.7/24'],
        deployRunsOn: 'vpc-runner',
      },
      ['inboundCidrs'],
    ],
    ...['ubuntu-24.04', 'ubuntu-latest', 'ubuntu-24.04-arm', undefined].map(
      (deployRunsOn): [string, Record<string, unknown>, string[]] => [
        `source ranges with the GitHub-hosted deploy runner ${
          deployRunsOn ?? '(the default)'
        }`,
        {
          endpointVisibility: 'public',
          inboundCidrs: ['203.0.113.0/24'],
          deployRunsOn,
        },
        ['deployRunsOn'],
      ],
    ),
    [
      'every broken rule at once',
      { nodeMinSize: 4, nodeMaxSize: 2, replicasMin: 5, replicasMax: 2 },
      ['nodeMaxSize', 'replicasMax'],
    ],
  ])('refuses %s', (_description, values, expected) => {
    expect(fields(values)).toEqual(expected);
  });

  it('names the environment whose host breaks DNS, and the length that fits', () => {
    const [problem] = serviceValueProblems({
      host: `${'a'.repeat(60)}.example.com`,
      environments: ['dev', 'staging', 'prod'],
    });
    expect(problem.message).toMatch(
      /^leaves the staging environment the name staging-a{60}\.example\.com, whose first label has 68 characters, over DNS's 63: shorten the first label of host to at most 55 characters$/,
    );
  });

  it('gives the network of a source range whose host bits are set', () => {
    expect(
      serviceValueProblems({
        endpointVisibility: 'public',
        inboundCidrs: ['198.51.100.77/26', '10.255.255.255/9', '192.0.2.1/0'],
        deployRunsOn: 'vpc-runner',
      }).map(p => p.message),
    ).toEqual([
      'has 198.51.100.77/26, whose host bits are set: write its network, 198.51.100.64/26',
      'has 10.255.255.255/9, whose host bits are set: write its network, 10.128.0.0/9',
      'has 192.0.2.1/0, whose host bits are set: write its network, 0.0.0.0/0',
    ]);
  });

  it('says how to fix the value it names', () => {
    expect(serviceValueProblems({ replicasMin: 5, replicasMax: 2 })).toEqual([
      {
        field: 'replicasMax',
        message:
          'must be at least replicasMin (2 < 5): raise replicasMax or lower replicasMin',
      },
    ]);
  });
});

describe('environmentHosts', () => {
  it('prefixes every environment but the last with its name', () => {
    expect(
      environmentHosts({
        host: 'churn.ml.example.com',
        environments: ['dev', 'staging', 'prod'],
      }),
    ).toEqual([
      { environment: 'dev', host: 'dev-churn.ml.example.com' },
      { environment: 'staging', host: 'staging-churn.ml.example.com' },
      { environment: 'prod', host: 'churn.ml.example.com' },
    ]);
  });

  it('gives one environment the host itself, and none without a host', () => {
    expect(
      environmentHosts({ host: 'a.example.com', environments: ['prod'] }),
    ).toEqual([{ environment: 'prod', host: 'a.example.com' }]);
    expect(
      environmentHosts({ host: '', environments: ['dev', 'prod'] }),
    ).toEqual([]);
  });
});
