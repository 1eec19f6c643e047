import { ChildProcess, spawn, SpawnOptions } from 'node:child_process';
import fs from 'node:fs';
import {
  DEFAULT_STOP_GRACE_MS,
  describeExit,
  hasExited,
  ownUntilExit,
  stopProcess,
} from '@internal/local-processes';

/** A child process in its own process group, with the tail of its output kept for errors. */
export interface ManagedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

const runningChildren = new Set<ChildProcess>();
let shuttingDown = false;
/** Set by stopEverythingOnShutdown; each child gets the value it has when the child starts. */
let stopGraceMs = DEFAULT_STOP_GRACE_MS;

/** True once a shutdown signal arrived: the process exits when everything is stopped. */
export function isShuttingDown(): boolean {
  return shuttingDown;
}

export function startProcess(
  name: string,
  command: string,
  args: string[],
  options: SpawnOptions & { echo?: boolean } = {},
): ManagedProcess {
  if (shuttingDown) {
    throw new Error(`not starting ${name}: this process is shutting down`);
  }
  const child = spawn(command, args, {
    ...options,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  runningChildren.add(child);
  // Children run in their own process groups, so nothing else ends them when this process dies.
  const graceMs = stopGraceMs;
  ownUntilExit(child, { group: true, graceMs });
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
    // The whole group: make → python, yarn → node.
    stop: () => stopProcess(child, { group: true, graceMs }),
  };
}

function prefixLines(name: string, text: string): string {
  return text.replace(/^(?=.)/gm, `[${name}] `);
}

/** Stops every process started through this module that still runs, all at once. */
export async function stopAllProcesses(graceMs = DEFAULT_STOP_GRACE_MS) {
  await Promise.all(
    [...runningChildren].map(child =>
      stopProcess(child, { group: true, graceMs }),
    ),
  );
}

/** The current parent's pid (Linux); `process.ppid` keeps the value from start-up. */
function currentParentPid(): number | undefined {
  try {
    const stat = fs.readFileSync('/proc/self/stat', 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

function onParentExit(callback: () => void) {
  const parent = currentParentPid();
  if (parent === undefined) {
    return;
  }
  setInterval(() => {
    if (currentParentPid() !== parent) {
      callback();
    }
  }, 1000).unref();
}

export interface ShutdownOptions {
  /** Orderly stop of what this process runs; every child still running is stopped after it. */
  stop?: () => Promise<void>;
  /** The exit code after `signal`: 0 for a service asked to stop, 128 + its number for a run cut short. */
  exitCode(signal: NodeJS.Signals): number;
  log?: (line: string) => void;
  graceMs?: number;
}

/**
 * Makes SIGINT, SIGTERM and SIGHUP stop everything this process started, then exit. A signal may
 * come to this process alone or to its whole process group (`timeout`, process managers, IDEs),
 * and more than once: each yarn between the user and this process forwards SIGTERM to its child,
 * so a signal to the group arrives once per layer. The first one starts the stop; later ones are
 * ignored until it is done. When the parent dies without a signal reaching this process (killed
 * with SIGKILL, or a `sh -c` that exits on SIGTERM without passing it on), the same stop runs as
 * for SIGHUP.
 */
export function stopEverythingOnShutdown(options: ShutdownOptions) {
  const log = options.log ?? (() => {});
  stopGraceMs = options.graceMs ?? DEFAULT_STOP_GRACE_MS;
  const shutDown = (reason: string, signal: NodeJS.Signals) => {
    if (shuttingDown) {
      return;
    }
    shuttingDown = true;
    log(`${reason}: stopping everything this process started`);
    (options.stop ?? (() => Promise.resolve()))()
      .catch(error => log(`orderly stop failed: ${error}`))
      .then(() => stopAllProcesses(options.graceMs))
      .finally(() => process.exit(options.exitCode(signal)));
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => shutDown(signal, signal));
  }
  onParentExit(() => shutDown('parent process exited', 'SIGHUP'));
}

/**
 * Exits when a command's main function settles: with the code it set, or 1 when it throws. While
 * a shutdown signal's stop is under way, that stop exits instead, once everything is stopped.
 */
export function exitWhenDone(main: Promise<void>) {
  main.then(
    () => shuttingDown || process.exit(),
    error => {
      if (!shuttingDown) {
        process.stderr.write(
          `${error instanceof Error ? error.stack : error}\n`,
        );
        process.exit(1);
      }
    },
  );
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
      `${name} (${command} ${args.join(' ')}) ${describeExit(
        running.child,
      )}:\n${running.output().slice(-3000)}`,
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
    if (serving && hasExited(serving.child)) {
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
