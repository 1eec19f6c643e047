import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';

/** A fixed port the demo is about to listen on, and what for. */
export interface RequiredPort {
  port: number;
  purpose: string;
}

export class PortsInUseError extends Error {
  name = 'PortsInUseError';
}

/** Binds the port on every interface, as the servers will; any listener on it makes that fail. */
function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', (error: NodeJS.ErrnoException) =>
      error.code === 'EADDRINUSE' ? resolve(false) : reject(error),
    );
    server.listen({ port, exclusive: true }, () =>
      server.close(() => resolve(true)),
    );
  });
}

function output(command: string, args: string[]): Promise<string> {
  return new Promise(resolve =>
    execFile(command, args, { timeout: 5000 }, (error, stdout) =>
      resolve(error ? '' : stdout),
    ),
  );
}

/** The pid listening on a TCP port, from `ss` or else `lsof`, when either is installed. */
async function listeningPid(port: number): Promise<number | undefined> {
  const ss = await output('ss', ['-Hltnp', `sport = :${port}`]);
  const fromSs = ss.match(/pid=(\d+)/);
  if (fromSs) {
    return Number(fromSs[1]);
  }
  const lsof = await output('lsof', [
    '-nP',
    `-iTCP:${port}`,
    '-sTCP:LISTEN',
    '-Fp',
  ]);
  const fromLsof = lsof.match(/^p(\d+)$/m);
  return fromLsof ? Number(fromLsof[1]) : undefined;
}

async function commandLine(pid: number): Promise<string | undefined> {
  const raw = await fs
    .readFile(`/proc/${pid}/cmdline`, 'utf8')
    .catch(() => undefined);
  const line = raw?.split('\0').filter(Boolean).join(' ');
  return line && line.length > 160 ? `${line.slice(0, 157)}...` : line;
}

async function describeHolder(port: number): Promise<string> {
  const pid = await listeningPid(port);
  if (pid === undefined) {
    return `another process (\`ss -ltnp 'sport = :${port}'\` or \`lsof -i :${port}\` shows which)`;
  }
  const command = await commandLine(pid);
  return command ? `pid ${pid} (${command})` : `pid ${pid}`;
}

/**
 * Fails before anything starts when a fixed port is taken, naming the port and the process
 * holding it: a server of an earlier run still listening there would otherwise answer in place
 * of the one about to start.
 */
export async function assertPortsFree(ports: RequiredPort[]): Promise<void> {
  const taken: string[] = [];
  for (const { port, purpose } of ports) {
    if (!(await isPortFree(port))) {
      taken.push(
        `port ${port} (${purpose}) is in use by ${await describeHolder(port)}`,
      );
    }
  }
  if (taken.length > 0) {
    throw new PortsInUseError(
      `${taken.join(
        '\n',
      )}\nStop that process (an earlier demo still running?) and start again.`,
    );
  }
}
