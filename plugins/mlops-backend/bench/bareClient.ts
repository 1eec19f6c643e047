/*
 * The bare client behind `yarn bench:fleet`'s floors: undici's `request`
 * with one shared Agent (no guard, no store, no catalog) probing the fixture
 * fleet in the prober's shape — `concurrency` workers, each calling ready,
 * model ready and live of one endpoint at once and taking the next endpoint
 * when all three answered.
 */
import { Agent, request } from 'undici';
import { v2Paths } from '../src/service/protocol/inferencePaths';
import { GcPauses, watchGcPauses } from './gcPauses';

export interface BareClientFleet {
  port: number;
  endpoints: number;
  concurrency: number;
  /** Endpoints whose index is a multiple of this fail (their calls are not averaged). */
  failingEvery: number;
}

/**
 * One cycle's time, the mean time of its ready calls to healthy endpoints and
 * the process's CPU time over it, in ms, and the garbage-collection pauses.
 */
export interface BareClientCycle {
  ms: number;
  meanReadyMs: number;
  cpuMs: number;
  gc: GcPauses;
}

/** User and system CPU time since `start`, in milliseconds. */
export function cpuMsSince(start: NodeJS.CpuUsage): number {
  const { user, system } = process.cpuUsage(start);
  return (user + system) / 1000;
}

/** Runs `cycles` cycles back to back over one Agent, closed at the end. */
export async function runBareClientCycles(
  fleet: BareClientFleet,
  cycles: number,
): Promise<BareClientCycle[]> {
  const agent = new Agent();
  const paths = v2Paths('m');

  /** The call's time in milliseconds, its body read. */
  const get = async (path: string): Promise<number> => {
    const started = performance.now();
    const response = await request(`http://127.0.0.1:${fleet.port}${path}`, {
      dispatcher: agent,
    });
    await response.body.arrayBuffer();
    return performance.now() - started;
  };

  const cycle = async (): Promise<BareClientCycle> => {
    const started = performance.now();
    const cpuStart = process.cpuUsage();
    const gcPauses = watchGcPauses();
    const healthyReadyMs: number[] = [];
    let next = 0;
    const worker = async () => {
      while (next < fleet.endpoints) {
        const index = next++;
        const endpoint = `/m/${index}`;
        const [readyMs] = await Promise.all([
          get(`${endpoint}${paths.ready}`),
          get(`${endpoint}${paths.modelReady}`),
          get(`${endpoint}${paths.live}`),
        ]);
        if (index % fleet.failingEvery !== 0) healthyReadyMs.push(readyMs);
      }
    };
    await Promise.all(Array.from({ length: fleet.concurrency }, worker));
    const ms = performance.now() - started;
    const cpuMs = cpuMsSince(cpuStart);
    const gc = gcPauses();
    const sum = healthyReadyMs.reduce((total, x) => total + x, 0);
    return { ms, meanReadyMs: sum / healthyReadyMs.length, cpuMs, gc };
  };

  try {
    const results: BareClientCycle[] = [];
    for (let i = 0; i < cycles; i++) results.push(await cycle());
    return results;
  } finally {
    await agent.close();
  }
}
