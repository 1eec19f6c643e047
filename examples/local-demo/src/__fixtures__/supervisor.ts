/*
 * A process that supervises two process trees the way `yarn start` supervises the demo: one
 * tree that stops on SIGTERM and one that ignores it. processes.test.ts signals it (or kills its
 * parent) and checks that nothing it started survives. Prints one JSON line once both trees run.
 */
import { signalExitCode } from '@internal/local-processes';
import { startProcess, stopEverythingOnShutdown } from '../processes';

const TREE = 'sleep 600 & echo $!; sleep 600 & echo $!; wait';

async function pidsOf(
  tree: ReturnType<typeof startProcess>,
): Promise<number[]> {
  while (tree.output().trim().split('\n').length < 2) {
    await new Promise(resolve => setTimeout(resolve, 20));
  }
  return [tree.child.pid!, ...tree.output().trim().split('\n').map(Number)];
}

async function main() {
  stopEverythingOnShutdown({
    stop: async () => {
      process.stdout.write('orderly stop\n');
    },
    exitCode: signalExitCode,
    graceMs: 1000,
  });
  const trees = [
    startProcess('tree', 'sh', ['-c', TREE]),
    startProcess('ignores-sigterm', 'sh', ['-c', `trap '' TERM; ${TREE}`]),
  ];
  const pids = (await Promise.all(trees.map(pidsOf))).flat();
  process.stdout.write(
    `${JSON.stringify({ supervisor: process.pid, pids })}\n`,
  );
}

main();
