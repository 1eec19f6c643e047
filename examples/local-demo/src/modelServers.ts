import { DemoService, SHARED_VENV } from './demoServices';
import { freePort } from '@internal/local-processes';
import { ManagedProcess, startProcess, waitForHttp } from './processes';

/** One environment of a demo service, served by its own `make serve` on loopback. */
export interface ModelServer {
  service: string;
  environment: string;
  url: string;
  process: ManagedProcess;
}

async function serve(
  service: DemoService,
  environment: string,
): Promise<ModelServer> {
  const port = await freePort();
  const server = startProcess(
    `${service.name}-${environment}`,
    'make',
    ['serve', `VENV=${SHARED_VENV}`, `PORT=${port}`],
    {
      cwd: service.repoDir,
      env: { ...process.env, PORT: String(port), LOG_LEVEL: 'warning' },
    },
  );
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/v2/health/ready`, {
    timeoutMs: 60_000,
    process: server,
  });
  return { service: service.name, environment, url, process: server };
}

/** Starts a model server for every environment of every demo service. */
export async function serveDemoServices(
  services: DemoService[],
): Promise<ModelServer[]> {
  const started = await Promise.allSettled(
    services.flatMap(service =>
      service.environments.map(environment => serve(service, environment)),
    ),
  );
  const servers = started.flatMap(result =>
    result.status === 'fulfilled' ? [result.value] : [],
  );
  const failure = started.find(result => result.status === 'rejected');
  if (failure) {
    await Promise.all(servers.map(server => server.process.stop()));
    throw (failure as PromiseRejectedResult).reason;
  }
  return servers;
}
