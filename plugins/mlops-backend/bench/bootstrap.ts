/*
 * yarn bench:bootstrap — median wall time of ensuring the Terraform state
 * bucket and the ECR repository against a real moto server: fresh (nothing
 * exists) and as a no-op re-run, 10 runs each.
 */
import { ConfigReader } from '@backstage/config';
import { TemplateAction } from '@backstage/plugin-scaffolder-node';
import { performance } from 'node:perf_hooks';
import {
  MOTO_ACCOUNT_ID,
  MOTO_CREDENTIALS,
  MotoServer,
} from '../dev/motoServer';
import { ecrEnsureAction } from '../src/actions/ecrEnsure';
import { tfstateEnsureAction } from '../src/actions/tfstateEnsure';
import { AwsClientFactory } from '../src/aws/AwsClientFactory';

const RUNS = Number(process.env.BENCH_RUNS ?? 10);

const quietLogger = {
  info() {},
  warn() {},
  error() {},
  debug() {},
  child() {
    return quietLogger;
  },
};

async function run(
  action: TemplateAction<any, any, any>,
  input: Record<string, unknown>,
) {
  const outputs: Record<string, unknown> = {};
  await action.handler({
    input,
    logger: quietLogger,
    workspacePath: '.',
    isDryRun: false,
    task: { id: 'bench' },
    output: (name: string, value: unknown) => {
      outputs[name] = value;
    },
    checkpoint: async ({ fn }: { fn: () => Promise<unknown> }) => fn(),
    createTemporaryDirectory: async () => '.',
    getInitiatorCredentials: async () => ({}),
  } as any);
  return outputs;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function describe(label: string, samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  console.log(
    `${label.padEnd(22)} median ${median(samples)
      .toFixed(1)
      .padStart(7)} ms   ` +
      `min ${sorted[0].toFixed(1).padStart(7)} ms   max ${sorted[
        sorted.length - 1
      ]
        .toFixed(1)
        .padStart(7)} ms   (n=${samples.length})`,
  );
}

async function main() {
  const moto = await MotoServer.start();
  try {
    const config = new ConfigReader({
      aws: {
        mainAccount: MOTO_CREDENTIALS,
        accounts: [{ accountId: MOTO_ACCOUNT_ID, ...MOTO_CREDENTIALS }],
      },
      mlops: { aws: { endpoint: moto.endpoint } },
    });
    // One client factory for both actions, as the scaffolder module wires them.
    const awsClientFactory = AwsClientFactory.fromConfig(config);
    const tfstate = tfstateEnsureAction(awsClientFactory);
    const ecr = ecrEnsureAction(awsClientFactory);
    const ensureBoth = async (i: number | string) => {
      const a = await run(tfstate, {
        bucketName: `bench-state-${i}`,
        region: 'eu-west-1',
        stateKeyPrefix: 'svc',
      });
      const b = await run(ecr, {
        repositoryName: `bench/model-${i}`,
        region: 'eu-west-1',
      });
      return [a, b];
    };

    await ensureBoth('warmup'); // warm up SDK clients and moto's backends
    const fresh: number[] = [];
    const noop: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      await moto.reset();
      let start = performance.now();
      const [state, repo] = await ensureBoth(i);
      fresh.push(performance.now() - start);
      if (!state.created || !repo.created) {
        throw new Error('fresh run did not create both resources');
      }
      start = performance.now();
      const [state2, repo2] = await ensureBoth(i);
      noop.push(performance.now() - start);
      if (
        (state2.changes as string[]).length ||
        (repo2.changes as string[]).length
      ) {
        throw new Error('re-run changed something');
      }
    }
    console.log(
      `bench:bootstrap — tfstate + ECR ensure against moto on loopback, Node ${process.version}`,
    );
    describe('fresh (create both)', fresh);
    describe('no-op re-run', noop);
  } finally {
    await moto.stop();
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
