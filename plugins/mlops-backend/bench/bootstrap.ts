/*
 * yarn bench:bootstrap — median wall time of ensuring the Terraform state
 * bucket, the ECR repository and the GitHub Actions CI roles (two
 * environments) against a real moto server: fresh (nothing exists) and as a
 * no-op re-run, 10 runs each.
 */
import { ConfigReader } from '@backstage/config';
import { TemplateAction } from '@backstage/plugin-scaffolder-node';
import { exitOnSignals } from '@internal/local-processes';
import { performance } from 'node:perf_hooks';
import {
  MOTO_ACCOUNT_ID,
  MOTO_CREDENTIALS,
  startMotoServer,
} from '@internal/moto-server';
import {
  PLATFORM_GITHUB_CONFIG,
  seedPlatformPolicies,
} from '../dev/platformPolicies';
import { ecrEnsureAction } from '../src/actions/ecrEnsure';
import { githubOidcEnsureAction } from '../src/actions/githubOidcEnsure';
import { tfstateEnsureAction } from '../src/actions/tfstateEnsure';
import { AwsClientFactory } from '../src/aws/AwsClientFactory';

const RUNS = Number(process.env.BENCH_RUNS ?? 10);

// SIGINT, SIGTERM and SIGHUP exit through Node, which stops moto at once
// (without them its watchdog would, after the bench had died of the signal).
exitOnSignals();

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
  const moto = await startMotoServer({ awsManagedPolicies: true });
  try {
    const config = new ConfigReader({
      aws: {
        mainAccount: MOTO_CREDENTIALS,
        accounts: [{ accountId: MOTO_ACCOUNT_ID, ...MOTO_CREDENTIALS }],
      },
      mlops: {
        aws: { endpoint: moto.endpoint },
        github: PLATFORM_GITHUB_CONFIG,
      },
    });
    // One client factory for the three actions, as the scaffolder module wires them.
    const awsClientFactory = AwsClientFactory.fromConfig(config);
    const tfstate = tfstateEnsureAction(awsClientFactory);
    const ecr = ecrEnsureAction(awsClientFactory);
    const ciRoles = githubOidcEnsureAction(awsClientFactory, config);
    const ensureAll = async (i: number | string) => {
      const a = await run(tfstate, {
        bucketName: `bench-state-${i}`,
        region: 'eu-west-1',
        stateKeyPrefix: 'svc',
      });
      const b = await run(ecr, {
        repositoryName: `bench/model-${i}`,
        region: 'eu-west-1',
      });
      const c = await run(ciRoles, {
        githubOwner: 'bench',
        githubRepo: `model-${i}`,
        environments: ['dev', 'prod'],
        defaultBranch: 'main',
        namePrefix: `bench-model-${i}`,
        region: 'eu-west-1',
        stateBucket: `bench-state-${i}`,
        stateKeyPrefix: 'svc',
      });
      return [a, b, c];
    };

    await seedPlatformPolicies(moto.endpoint);
    await ensureAll('warmup'); // warm up SDK clients and moto's backends
    const fresh: number[] = [];
    const noop: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      await moto.reset();
      await seedPlatformPolicies(moto.endpoint);
      let start = performance.now();
      const fresh1 = await ensureAll(i);
      fresh.push(performance.now() - start);
      if (fresh1.some(outputs => !outputs.created)) {
        throw new Error('fresh run did not create every resource');
      }
      start = performance.now();
      const again = await ensureAll(i);
      noop.push(performance.now() - start);
      if (again.some(outputs => (outputs.changes as string[]).length)) {
        throw new Error('re-run changed something');
      }
    }
    console.log(
      `bench:bootstrap — tfstate + ECR + CI roles ensure against moto on loopback, Node ${process.version}`,
    );
    describe('fresh (create all)', fresh);
    describe('no-op re-run', noop);
  } finally {
    await moto.stop();
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
