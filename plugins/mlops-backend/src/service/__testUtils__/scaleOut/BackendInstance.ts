import { ChildProcess, spawn } from 'node:child_process';
import { resolve as resolvePath } from 'node:path';
import { createInterface } from 'node:readline';
import {
  describeExit,
  hasExited,
  stopProcess,
} from '@internal/local-processes';
import { InstanceSettings } from './instance';

/** One line an instance logged (see instance.ts). */
export interface LogLine {
  time: number;
  level?: string;
  message?: string;
  event?: string;
  [field: string]: unknown;
}

type Waiter = {
  matches: (line: LogLine) => boolean;
  resolve: (line: LogLine) => void;
  timer?: NodeJS.Timeout;
};

/**
 * A backend instance running instance.ts in a child process, with its log
 * lines kept in order and awaitable.
 */
export class BackendInstance {
  readonly lines: LogLine[] = [];
  readonly baseUrl: string;
  private readonly child: ChildProcess;
  private readonly exited: Promise<number | null>;
  private waiters: Waiter[] = [];
  private stderr = '';

  private constructor(
    readonly name: string,
    port: number,
    settings: InstanceSettings,
  ) {
    this.baseUrl = `http://127.0.0.1:${port}`;
    this.child = spawn(
      process.execPath,
      [
        '--require',
        require.resolve('@backstage/cli/config/nodeTransform.cjs'),
        resolvePath(__dirname, 'instance.ts'),
      ],
      {
        // The IPC channel closes when the test process ends, however it ends.
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        env: {
          ...process.env,
          // Jest sets NODE_ENV=test, which turns the scheduler's janitor off.
          NODE_ENV: 'production',
          MLOPS_SCALE_OUT_INSTANCE: JSON.stringify(settings),
        },
      },
    );
    createInterface({ input: this.child.stdout! }).on('line', text =>
      this.onLine(text),
    );
    this.child.stderr!.on('data', chunk => (this.stderr += chunk));
    this.exited = new Promise(resolve =>
      this.child.on('exit', code => resolve(code)),
    );
  }

  /** Starts the process; see waitUntilStarted. */
  static launch(
    name: string,
    port: number,
    settings: InstanceSettings,
  ): BackendInstance {
    return new BackendInstance(name, port, settings);
  }

  async waitUntilStarted(timeoutMs: number): Promise<void> {
    await this.waitForLine(line => line.event === 'started', timeoutMs);
  }

  get running(): boolean {
    return !hasExited(this.child);
  }

  /** Resolves with the first line (already logged or to come) that matches. */
  waitForLine(
    matches: (line: LogLine) => boolean,
    timeoutMs: number,
    after = 0,
  ): Promise<LogLine> {
    const seen = this.lines.slice(after).find(matches);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { matches, resolve };
      const fail = (reason: string) => {
        if (!this.waiters.includes(waiter)) return;
        this.waiters = this.waiters.filter(w => w !== waiter);
        clearTimeout(waiter.timer);
        reject(new Error(`${this.name}: ${reason}${this.output()}`));
      };
      waiter.timer = setTimeout(
        () => fail(`no matching log line within ${timeoutMs} ms`),
        timeoutMs,
      );
      waiter.resolve = line => {
        clearTimeout(waiter.timer);
        resolve(line);
      };
      this.waiters.push(waiter);
      this.exited.then(() => fail(`${describeExit(this.child)} while waiting`));
    });
  }

  async request(path: string, token: string): Promise<Response> {
    return fetch(`${this.baseUrl}${path}`, {
      headers: { authorization: `Bearer ${token}` },
    });
  }

  kill(): Promise<number | null> {
    if (this.running) this.child.kill('SIGKILL');
    return this.exited;
  }

  /** SIGTERM (the backend stops itself), then SIGKILL if it has not exited after stopProcess's default grace. */
  stop(): Promise<void> {
    return stopProcess(this.child);
  }

  private onLine(text: string): void {
    let line: LogLine;
    try {
      line = JSON.parse(text);
    } catch {
      line = { time: Date.now(), message: text };
    }
    this.lines.push(line);
    for (const waiter of this.waiters.filter(w => w.matches(line))) {
      this.waiters = this.waiters.filter(w => w !== waiter);
      waiter.resolve(line);
    }
  }

  private output(): string {
    const tail = this.lines
      .slice(-20)
      .map(l => `  ${l.level ?? l.event}: ${l.message ?? ''}`)
      .join('\n');
    return `\nlast log lines:\n${tail}${
      this.stderr ? `\nstderr:\n${this.stderr.slice(-2000)}` : ''
    }`;
  }
}
