import { spawn } from 'node:child_process';

export interface ExecResult {
  code: number;
  output: string;
}

/** Runs a command and captures stdout and stderr together; never throws on a non-zero exit. */
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
    });
    let output = '';
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const timer = setTimeout(() => {
      output += `\n(timed out after ${options.timeoutMs} ms)`;
      child.kill('SIGKILL');
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
      `${command} ${args.join(' ')} exited with ${result.code}:\n${tail}`,
    );
  }
  return result.output;
}
