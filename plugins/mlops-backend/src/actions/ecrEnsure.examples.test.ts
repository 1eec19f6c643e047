import yaml from 'yaml';
import {
  CallRecorder,
  recordingFactory,
  runAction,
} from '../__testUtils__/actionHarness';
import { MotoServer, startMotoServer } from '@internal/moto-server';
import { ecrEnsureAction } from './ecrEnsure';
import { examples } from './ecrEnsure.examples';

jest.setTimeout(60_000);

describe('mlops:ecr:ensure examples', () => {
  let moto: MotoServer;
  let action: ReturnType<typeof ecrEnsureAction>;

  beforeAll(async () => {
    moto = await startMotoServer();
    action = ecrEnsureAction(
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
      expect(first.repositoryUri).toMatch(
        new RegExp(
          `^123456789012\\.dkr\\.ecr\\.${step.input.region}\\.amazonaws\\.com/${step.input.repositoryName}$`,
        ),
      );
      expect(second.changes).toEqual([]);
    },
  );
});
