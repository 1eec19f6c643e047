import { ChildProcess, spawn, SpawnOptions } from 'node:child_process';

export { freePort } from '@internal/ml-service-tools';

/** A child process in its own process group, with the tail of its output kept for errors. */
export interface ManagedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

const runningChildren = new Set<ChildProcess>();

function signalGroup(child: ChildProcess, signal: NodeJS.Signals) {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // already gone
  }
}

// Children run in their own process groups, so nothing else ends them when this process dies.
process.once('exit', () => {
  for (const child of runningChildren) {
    signalGroup(child, 'SIGTERM');
  }
});

export function startProcess(
  name: string,
  command: string,
  args: string[],
  options: SpawnOptions & { echo?: boolean } = {},
): ManagedProcess {
  const child = spawn(command, args, {
    ...options,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  runningChildren.add(child);
  child.once('exit', () => runningChildren.delete(child));
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
    if (options.echo) {
      process.stdout.write(prefixLines(name, chunk.toString()));
    }
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  return {
    name,
    child,
    output: () => output,
    stop: () => stopProcessGroup(child),
  };
}

function prefixLines(name: string, text: string): string {
  return text.replace(/^(?=.)/gm, `[${name}] `);
}

function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/** SIGTERM to the whole group (make → python, yarn → node), SIGKILL after 10 s. */
export function stopProcessGroup(child: ChildProcess): Promise<void> {
  if (!isRunning(child)) {
    return Promise.resolve();
  }
  return new Promise(resolve => {
    const forceKill = setTimeout(() => signalGroup(child, 'SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(forceKill);
      resolve();
    });
    signalGroup(child, 'SIGTERM');
  });
}

/** Runs a command to completion; rejects with its output when it fails. */
export async function runToCompletion(
  name: string,
  command: string,
  args: string[],
  options: SpawnOptions = {},
): Promise<string> {
  const running = startProcess(name, command, args, options);
  const code = await new Promise<number | null>(resolve =>
    running.child.once('exit', resolve),
  );
  if (code !== 0) {
    throw new Error(
      `${name} (${command} ${args.join(' ')}) exited with ${code}:\n${running
        .output()
        .slice(-3000)}`,
    );
  }
  return running.output();
}

/** Polls a URL until it answers 2xx; fails early when the process serving it exits. */
export async function waitForHttp(
  url: string,
  options: { timeoutMs: number; process?: ManagedProcess },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  while (Date.now() < deadline) {
    const serving = options.process;
    if (serving && !isRunning(serving.child)) {
      throw new Error(
        `${serving.name} exited before ${url} answered:\n${serving
          .output()
          .slice(-3000)}`,
      );
    }
    const response = await fetch(url).catch(() => undefined);
    if (response?.ok) {
      return;
    }
    await new Promise(resolve => setTimeout(resolve, 250));
  }
  throw new Error(
    `${url} did not answer within ${options.timeoutMs / 1000} s${
      options.process ? `:\n${options.process.output().slice(-3000)}` : ''
    }`,
  );
}
