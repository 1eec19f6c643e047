import { spawn } from 'node:child_process';
import { ownUntilExit } from '@internal/local-processes';

export interface ExecResult {
  code: number;
  output: string;
}

/**
 * Runs a command and captures stdout and stderr together; never throws on a
 * non-zero exit. The command runs in its own process group, which a timeout
 * ends with SIGKILL and which stops with this process, however it ends
 * (`make install` leaves pip behind otherwise).
 */
export function exec(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<ExecResult> {
  return new Promise(resolve => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    ownUntilExit(child, { group: true });
    let output = '';
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const timer = setTimeout(() => {
      output += `\n(timed out after ${options.timeoutMs} ms)`;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, options.timeoutMs ?? 600_000);
    child.on('error', error => {
      clearTimeout(timer);
      resolve({ code: 127, output: `${output}${error.message}` });
    });
    child.on('close', code => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, output });
    });
  });
}

/** Runs a command and throws with its last output lines when it fails. */
export async function mustSucceed(
  command: string,
  args: string[],
  options: Parameters<typeof exec>[2] = {},
): Promise<string> {
  const result = await exec(command, args, options);
  if (result.code !== 0) {
    const tail = result.output.trim().split('\n').slice(-25).join('\n');
    throw new Error(
      `${[command, ...args].join(' ')} exited with ${result.code}:\n${tail}`,
    );
  }
  return result.output;
}
