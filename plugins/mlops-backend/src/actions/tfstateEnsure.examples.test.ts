import yaml from 'yaml';
import {
  CallRecorder,
  recordingFactory,
  runAction,
} from '../__testUtils__/actionHarness';
import { MotoServer, startMotoServer } from '@internal/moto-server';
import { tfstateEnsureAction } from './tfstateEnsure';
import { examples } from './tfstateEnsure.examples';

jest.setTimeout(60_000);

describe('mlops:tfstate:ensure examples', () => {
  let moto: MotoServer;
  let action: ReturnType<typeof tfstateEnsureAction>;

  beforeAll(async () => {
    moto = await startMotoServer();
    action = tfstateEnsureAction(
      recordingFactory(moto.endpoint, new CallRecorder()),
    );
  });
  afterAll(() => moto?.stop());
  beforeEach(() => moto.reset());

  it.each(examples.map(e => [e.description, e.example]))(
    '%s',
    async (_description, example) => {
      const [step] = yaml.parse(example).steps;
      expect(step.action).toBe(action.id);

      const first = await runAction(action, step.input);
      const second = await runAction(action, step.input);

      expect(first.created).toBe(true);
      expect(first.bucketName).toBe(step.input.bucketName);
      expect(first.lockTable).toBe(step.input.lockTable ?? '');
      expect(second.changes).toEqual([]);
    },
  );
});
