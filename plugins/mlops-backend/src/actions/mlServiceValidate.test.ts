import { ConfigReader } from '@backstage/config';
import { InputError } from '@backstage/errors';
import {
  CallRecorder,
  recordingFactory,
  runAction,
  withoutAwsCredentials,
} from '../__testUtils__/actionHarness';
import {
  importCertificate,
  requestCertificate,
} from '../__testUtils__/acmMoto';
import {
  MOTO_CREDENTIALS,
  MotoServer,
  startMotoServer,
} from '@internal/moto-server';
import { AwsClientFactory } from '../aws/AwsClientFactory';
import {
  createMlServiceValidateAction,
  mlServiceValidateAction,
} from './mlServiceValidate';

jest.setTimeout(60_000);

const VALID = {
  awsAccountId: '123456789012',
  replicasMin: 2,
  replicasMax: 6,
  memoryRequest: '512Mi',
  memoryLimit: '1Gi',
};

describe('mlops:ml-service:validate', () => {
  let moto: MotoServer;
  let recorder: CallRecorder;
  let action: ReturnType<typeof mlServiceValidateAction>;

  beforeAll(async () => {
    moto = await startMotoServer();
    recorder = new CallRecorder();
    action = mlServiceValidateAction(recordingFactory(moto.endpoint, recorder));
  });
  afterAll(() => moto?.stop());
  beforeEach(() => recorder.clear());

  it.each([false, true])(
    'accepts values that agree (dry run: %s)',
    async dryRun => {
      await expect(runAction(action, VALID, { dryRun })).resolves.toEqual({});
    },
  );

  it('accepts a task that left the optional values out', async () => {
    await expect(
      runAction(action, { awsAccountId: '123456789012' }),
    ).resolves.toEqual({});
  });

  it.each([false, true])(
    'fails with an input error naming every field and its fix (dry run: %s)',
    async dryRun => {
      const run = runAction(
        action,
        { ...VALID, replicasMin: 5, replicasMax: 2, memoryLimit: '256Mi' },
        { dryRun },
      );
      await expect(run).rejects.toThrow(InputError);
      await expect(run).rejects.toThrow(
        [
          'Invalid values, nothing was created:',
          '  - replicasMax must be at least replicasMin (2 < 5): raise replicasMax or lower replicasMin',
          '  - memoryLimit must be at least memoryRequest ("256Mi" < "512Mi"): raise memoryLimit or lower memoryRequest',
        ].join('\n'),
      );
    },
  );

  describe('an internet-facing endpoint', () => {
    const plainHttp =
      /^endpointVisibility is public and certificateArn is empty: the model will answer anyone on the internet over plain HTTP/;

    it.each([false, true])(
      'is accepted with a warning when it has no certificate (dry run: %s)',
      async dryRun => {
        const log: string[] = [];
        await expect(
          runAction(
            action,
            { ...VALID, endpointVisibility: 'public' },
            { dryRun, log },
          ),
        ).resolves.toEqual({});
        expect(log).toContainEqual(expect.stringMatching(plainHttp));
      },
    );

    it('is warned about with the source ranges it admits, when it has some', async () => {
      const log: string[] = [];
      await runAction(
        action,
        {
          ...VALID,
          endpointVisibility: 'public',
          inboundCidrs: ['203.0.113.0/24', '198.51.100.0/24'],
          deployRunsOn: 'vpc-runner',
        },
        { log },
      );
      expect(log).toContainEqual(
        expect.stringMatching(
          /^endpointVisibility is public and certificateArn is empty: the model will answer anyone in 203\.0\.113\.0\/24, 198\.51\.100\.0\/24 over plain HTTP/,
        ),
      );
    });

    it("reminds that Backstage's outbound addresses must be in the source ranges when it calls a host", async () => {
      const backstageOutside = /Backstage's outbound addresses must be inside/;
      const ranges = {
        ...VALID,
        endpointVisibility: 'public',
        inboundCidrs: ['203.0.113.0/24'],
        deployRunsOn: 'vpc-runner',
      };
      const withHost: string[] = [];
      const withoutHost: string[] = [];
      await runAction(
        action,
        { ...ranges, host: 'churn.ml.example.com' },
        { log: withHost },
      );
      await runAction(action, ranges, { log: withoutHost });
      expect(withHost).toContainEqual(
        expect.stringMatching(
          /^inboundCidrs admits only 203\.0\.113\.0\/24, and Backstage's health probes and predict calls go to churn\.ml\.example\.com: Backstage's outbound addresses must be inside those ranges too/,
        ),
      );
      // Without a host, Backstage goes through the Kubernetes API, not the load balancer.
      expect(withoutHost.filter(line => backstageOutside.test(line))).toEqual(
        [],
      );
    });

    it('refuses source ranges with a GitHub-hosted deploy runner, before anything is created', async () => {
      await expect(
        runAction(action, {
          ...VALID,
          endpointVisibility: 'public',
          inboundCidrs: ['203.0.113.0/24'],
          deployRunsOn: 'ubuntu-24.04',
        }),
      ).rejects.toThrow(
        /^Invalid values, nothing was created:\n {2}- deployRunsOn is a GitHub-hosted runner \(ubuntu-24\.04\)/,
      );
    });

    it('is not warned about when internal', async () => {
      const log: string[] = [];
      await runAction(
        action,
        { ...VALID, endpointVisibility: 'internal' },
        { log },
      );
      expect(log.filter(line => plainHttp.test(line))).toEqual([]);
    });
  });

  it("refuses existing roles outside the service's account", async () => {
    await expect(
      runAction(action, {
        ...VALID,
        ciRoles: 'existing',
        existingPlanRoleArn: 'arn:aws:iam::123456789012:role/plan',
        existingTerraformRoleArns: {
          dev: 'arn:aws:iam::123456789012:role/dev-terraform',
          prod: 'arn:aws:iam::999999999999:role/prod-terraform',
        },
      }),
    ).rejects.toThrow(
      "existingTerraformRoleArns.prod must be a role in the service's account 123456789012, not 999999999999",
    );
  });

  describe('the certificate in ACM', () => {
    const PUBLIC = {
      ...VALID,
      awsRegion: 'eu-west-1',
      environments: ['dev', 'staging', 'prod'],
      endpointVisibility: 'public',
      host: 'churn.ml.example.com',
    };
    const certificate = (
      names: string[],
      state: 'issued' | 'pending validation',
    ) =>
      requestCertificate(moto.endpoint, { region: 'eu-west-1', names, state });

    it.each([
      ['a wildcard over the first label', ['*.ml.example.com']],
      [
        "every environment's host by name",
        [
          'churn.ml.example.com',
          'dev-churn.ml.example.com',
          'STAGING-churn.ml.example.com',
        ],
      ],
    ])(
      'accepts an issued certificate that covers every host: %s',
      async (_description, names) => {
        const certificateArn = await certificate(names, 'issued');
        for (const dryRun of [false, true]) {
          await expect(
            runAction(action, { ...PUBLIC, certificateArn }, { dryRun }),
          ).resolves.toEqual({});
        }
        expect(recorder.calls).toEqual([
          'GetCallerIdentity',
          'DescribeCertificate',
          'GetCallerIdentity',
          'DescribeCertificate',
        ]);
      },
    );

    it('names the account whose credentials are configured for another, instead of finding no certificate there', async () => {
      const otherAccount = mlServiceValidateAction(
        AwsClientFactory.fromConfig(
          new ConfigReader({
            aws: {
              accounts: [{ accountId: '999999999999', ...MOTO_CREDENTIALS }],
            },
            mlops: { aws: { endpoint: moto.endpoint } },
          }),
        ),
      );
      await expect(
        runAction(otherAccount, {
          ...PUBLIC,
          awsAccountId: '999999999999',
          certificateArn:
            'arn:aws:acm:eu-west-1:999999999999:certificate/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d',
        }),
      ).rejects.toThrow(
        /credentials configured for AWS account 999999999999 belong to account 123456789012/,
      );
    });

    describe('an imported certificate, which ACM does not renew', () => {
      const imported = (days: number) =>
        importCertificate(moto.endpoint, {
          region: 'eu-west-1',
          names: ['*.ml.example.com'],
          days,
        });

      it.each([false, true])(
        'is accepted with a warning naming its expiry and the fix when it expires within 30 days (dry run: %s)',
        async dryRun => {
          const certificateArn = await imported(10);
          const log: string[] = [];
          await expect(
            runAction(action, { ...PUBLIC, certificateArn }, { dryRun, log }),
          ).resolves.toEqual({});
          expect(log).toContainEqual(
            expect.stringMatching(
              /^certificateArn is an imported certificate that expires on \d{4}-\d\d-\d\dT[^ ]+ \(in 10 days\), and ACM does not renew imported certificates: import its renewal under the same ARN \(aws acm import-certificate --certificate-arn <arn>\)/,
            ),
          );
        },
      );

      it('is accepted without a warning when it has longer left', async () => {
        const certificateArn = await imported(90);
        const log: string[] = [];
        await expect(
          runAction(action, { ...PUBLIC, certificateArn }, { log }),
        ).resolves.toEqual({});
        expect(
          log.filter(
            line => line.includes('expires') || line.includes('plain HTTP'),
          ),
        ).toEqual([]);
      });
    });

    it('refuses a certificate still pending validation', async () => {
      const certificateArn = await certificate(
        ['*.ml.example.com'],
        'pending validation',
      );
      await expect(
        runAction(action, { ...PUBLIC, certificateArn }),
      ).rejects.toThrow(
        /- certificateArn is still pending validation in ACM, and a load balancer serves only issued certificates: create the DNS records ACM lists/,
      );
    });

    it('names every host the certificate does not cover, and what it names', async () => {
      const certificateArn = await certificate(
        ['churn.ml.example.com', '*.example.com'],
        'issued',
      );
      await expect(
        runAction(action, { ...PUBLIC, certificateArn }),
      ).rejects.toThrow(
        '  - certificateArn does not cover dev-churn.ml.example.com (dev), staging-churn.ml.example.com (staging); ' +
          "it names churn.ml.example.com, *.example.com: use a certificate that names every environment's host",
      );
    });

    it('refuses an ARN ACM holds no certificate under, naming the account and region', async () => {
      await expect(
        runAction(action, {
          ...PUBLIC,
          certificateArn:
            'arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d',
        }),
      ).rejects.toThrow(
        '  - certificateArn names no certificate in ACM of account 123456789012, region eu-west-1: request or import the certificate there, or correct the ARN',
      );
    });

    it('lists the certificate with the other problems, in one error', async () => {
      const certificateArn = await certificate(['*.example.com'], 'issued');
      const run = runAction(action, {
        ...PUBLIC,
        certificateArn,
        replicasMin: 5,
        replicasMax: 2,
      });
      await expect(run).rejects.toThrow(InputError);
      await expect(run).rejects.toThrow(
        /- replicasMax must be at least replicasMin[^\n]*\n {2}- certificateArn does not cover dev-churn\.ml\.example\.com/,
      );
    });

    it('does not ask ACM about a certificate already refused for its place', async () => {
      await expect(
        runAction(action, {
          ...PUBLIC,
          certificateArn:
            'arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d',
        }),
      ).rejects.toThrow(
        /certificateArn must be a certificate in the service's region/,
      );
      expect(recorder.calls).toEqual([]);
    });

    describe('without AWS credentials', () => {
      const noCredentials = () =>
        createMlServiceValidateAction({
          config: new ConfigReader({
            mlops: { aws: { endpoint: moto.endpoint } },
          }),
        });
      const values = {
        ...PUBLIC,
        certificateArn:
          'arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d',
      };

      it('a dry run passes and says the certificate was not checked', async () => {
        const log: string[] = [];
        await expect(
          withoutAwsCredentials(() =>
            runAction(noCredentials(), values, { dryRun: true, log }),
          ),
        ).resolves.toEqual({});
        expect(log).toContainEqual(
          expect.stringMatching(
            /^\[dry run\] certificateArn not checked in ACM: unknown: no AWS credentials are configured/,
          ),
        );
      });

      it('a run fails, since nothing would be created without credentials either', async () => {
        await expect(
          withoutAwsCredentials(() => runAction(noCredentials(), values)),
        ).rejects.toThrow(/credentials/i);
      });

      it('a run with other problems reports them, and says the certificate waits', async () => {
        const log: string[] = [];
        await expect(
          withoutAwsCredentials(() =>
            runAction(noCredentials(), { ...values, replicasMax: 1 }, { log }),
          ),
        ).rejects.toThrow(
          /^Invalid values, nothing was created:\n {2}- replicasMax must be at least replicasMin \(1 < 2\)[^\n]*$/,
        );
        expect(log).toContainEqual(
          expect.stringMatching(/^certificateArn not checked in ACM: /),
        );
      });
    });
  });
});
