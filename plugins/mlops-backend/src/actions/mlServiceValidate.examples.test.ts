import yaml from 'yaml';
import {
  CallRecorder,
  recordingFactory,
  runAction,
} from '../__testUtils__/actionHarness';
import { requestCertificate } from '../__testUtils__/acmMoto';
import { MotoServer, startMotoServer } from '@internal/moto-server';
import { mlServiceValidateAction } from './mlServiceValidate';
import { examples } from './mlServiceValidate.examples';

jest.setTimeout(60_000);

describe('mlops:ml-service:validate examples', () => {
  let moto: MotoServer;
  let action: ReturnType<typeof mlServiceValidateAction>;

  beforeAll(async () => {
    moto = await startMotoServer();
    action = mlServiceValidateAction(
      recordingFactory(moto.endpoint, new CallRecorder()),
    );
  });
  afterAll(() => moto?.stop());

  it.each(examples.map(e => [e.description, e.example]))(
    '%s',
    async (_description, example) => {
      const [step] = yaml.parse(example).steps;
      expect(step.action).toBe(action.id);
      const input = {
        ...step.input,
        // An issued certificate for the example's hosts: moto's ARN, not the example's.
        certificateArn: await requestCertificate(moto.endpoint, {
          region: step.input.awsRegion,
          names: [`*.${step.input.host.split('.').slice(1).join('.')}`],
          state: 'issued',
        }),
      };

      await expect(runAction(action, input)).resolves.toEqual({});
      await expect(runAction(action, { ...input, host: '' })).rejects.toThrow(
        /host is required when a certificate is set/,
      );
      await expect(runAction(action, step.input)).rejects.toThrow(
        /certificateArn names no certificate in ACM/,
      );
    },
  );
});
