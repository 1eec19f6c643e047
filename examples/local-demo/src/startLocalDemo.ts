import { MLOPS_ANNOTATIONS } from '@eks-mlops/backstage-plugin-mlops-common';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { writeDemoCatalog } from './demoCatalog';
import {
  LOCAL_GIT_DIR,
  readUserLocalConfig,
  writeDemoConfig,
} from './demoConfig';
import { prepareDemoServices, SHARED_VENV } from './demoServices';
import { buildAppBundle, startAppDevServer, startBackend } from './exampleApp';
import {
  DEMO_CLUSTER,
  DemoKubernetesTarget,
  startKubernetesSimulation,
} from './kubernetesSimulation';
import {
  LocalRunner,
  LocalRunnerOptions,
  startLocalRunner,
} from './localRunner';
import { serveDemoServices } from './modelServers';
import {
  seedPlatformPolicies,
  startMoto,
  tagDeployedImageInMoto,
} from './moto';
import { DEMO_STATE_DIR, REPO_ROOT } from './paths';
import { assertPortsFree } from './ports';
import { catalogApi, SimulatedClusters } from './simulatedClusters';

export interface LocalDemoOptions {
  /** `dev-server`: the app's development server beside the backend; `bundle`: the production bundle served by the backend. */
  frontend: 'dev-server' | 'bundle';
  backendPort: number;
  /** Port of the development server. */
  appPort?: number;
  /** Progress lines. */
  log?: (line: string) => void;
  /** Print the backend's and dev server's output. */
  echo?: boolean;
  /** Holds the local runner's first rollouts before they complete (see {@link LocalRunnerOptions}). */
  beforeRolloutCompletes?: LocalRunnerOptions['beforeRolloutCompletes'];
}

export interface LocalDemo {
  appUrl: string;
  backendUrl: string;
  /** What runs locally instead of AWS, Kubernetes and GitHub. */
  emulators: string[];
  /** Names of the demo ML services and their local endpoints. */
  modelServers: Array<{ service: string; environment: string; url: string }>;
  localGitDir: string;
  /** The moto endpoint the backend uses for AWS, unless real AWS is configured. */
  motoEndpoint?: string;
  /**
   * The demo services reached only through the simulated cluster's service proxy, with their
   * `mlops/kubernetes-service` target; none when a real cluster is configured.
   */
  kubernetesProxied: Array<{ service: string; target: string }>;
  /**
   * The local runner (stand-in for the deploy workflow) that deploys each
   * service created in the demo; absent when a real cluster is configured.
   */
  localRunner?: LocalRunner;
  backendOutput(): string;
  stop(): Promise<void>;
}

/** ` (<service> is reached only through its service proxy)`, or nothing. */
export function proxiedLine(targets: readonly DemoKubernetesTarget[]): string {
  if (targets.length === 0) return '';
  const names = targets.map(t => t.service).join(' and ');
  return ` (${names} ${
    targets.length === 1 ? 'is' : 'are'
  } reached only through its service proxy)`;
}

function appPort(options: LocalDemoOptions): number {
  return options.appPort ?? 3000;
}

/**
 * Starts everything the local demo needs, then the example app: moto (unless real AWS is
 * configured), the demo model servers rendered from the template, the Kubernetes API
 * simulation (unless a real cluster is configured), the backend and the frontend.
 */
export async function startLocalDemo(
  options: LocalDemoOptions,
): Promise<LocalDemo> {
  const log = options.log ?? (() => {});
  const echo = options.echo ?? false;
  await assertPortsFree([
    { port: options.backendPort, purpose: 'the backend' },
    ...(options.frontend === 'dev-server'
      ? [{ port: appPort(options), purpose: 'the app development server' }]
      : []),
  ]);
  const stops: Array<() => Promise<void>> = [];
  // Once, however many callers (a signal handler and a test's finally block) ask for it.
  let stopped: Promise<void> | undefined;
  const stopAll = () => {
    stopped ??= (async () => {
      for (const stop of stops.reverse()) {
        await stop().catch(() => undefined);
      }
    })();
    return stopped;
  };
  try {
    const userConfig = await readUserLocalConfig();
    const useMoto =
      !process.env.MLOPS_USE_REAL_AWS && !userConfig.configuresAws;
    const [moto, services] = await Promise.all([
      useMoto
        ? startMoto().then(async started => {
            stops.push(() => started.process.stop());
            // As a platform engineer does once per account; the demo config names them.
            await seedPlatformPolicies(started.endpoint);
            return started;
          })
        : undefined,
      prepareDemoServices(log),
      options.frontend === 'bundle' ? buildAppBundle(log) : undefined,
    ]);
    const servers = await serveDemoServices(services);
    stops.push(() => Promise.all(servers.map(s => s.process.stop())).then());
    // Per backend port, so that a test run beside `yarn start` leaves it alone.
    const instanceDir = path.join(
      DEMO_STATE_DIR,
      `instance-${options.backendPort}`,
    );
    const demoCatalogFile = path.join(instanceDir, 'ml-services.yaml');
    stops.push(() => fs.rm(instanceDir, { recursive: true, force: true }));
    const simulation = userConfig.configuresKubernetes
      ? undefined
      : await startKubernetesSimulation(services, servers);
    if (simulation) {
      stops.push(() => simulation.double.stop());
    }
    const proxied = simulation?.targets ?? [];
    const runnerSetup = simulation && {
      clustersFile: path.join(instanceDir, 'simulated-clusters.yaml'),
      catalogToken: randomBytes(24).toString('hex'),
    };
    if (runnerSetup) {
      await fs.mkdir(instanceDir, { recursive: true });
      await SimulatedClusters.writeEmptyCatalog(runnerSetup.clustersFile);
    }
    await writeDemoCatalog(
      demoCatalogFile,
      services,
      servers,
      Object.fromEntries(proxied.map(t => [t.service, t.annotation])),
    );

    const emulators = [
      moto
        ? `AWS: moto at ${moto.endpoint} (nothing reaches a real AWS account)`
        : undefined,
      simulation
        ? `Kubernetes: a read-only simulation at ${
            simulation.double.url
          } (cluster "${DEMO_CLUSTER}")${proxiedLine(proxied)}`
        : undefined,
      `GitHub: new repositories are published to local git repositories in ${path.relative(
        REPO_ROOT,
        LOCAL_GIT_DIR,
      )}; their environments, variables and workflow dispatches are recorded beside them (<repo>.github.json), and no GitHub workflow runs`,
      runnerSetup
        ? 'Deploy workflow: a local runner stands in for it: on each recorded dispatch it clones the local repository, trains and serves the first environment on loopback and adds its overlay to a simulated cluster'
        : undefined,
      `Model endpoints: the demo services run on loopback (${servers.length} servers)`,
    ].filter((line): line is string => Boolean(line));

    const backendUrl = `http://localhost:${options.backendPort}`;
    const appUrl =
      options.frontend === 'bundle'
        ? backendUrl
        : `http://localhost:${appPort(options)}`;
    const generatedConfig = path.join(
      instanceDir,
      'app-config.local-demo.yaml',
    );
    await writeDemoConfig({
      file: generatedConfig,
      demoCatalogFile,
      appUrl,
      backendUrl,
      banner: `Local demo against local emulators — ${[
        moto && 'AWS is moto',
        simulation &&
          `Kubernetes is a read-only simulation${proxiedLine(proxied)}`,
        'repositories are published to local git, where their GitHub settings are recorded and no GitHub workflow runs',
        runnerSetup &&
          "a local runner stands in for the deploy workflow: it trains and serves a new service's first environment on this machine",
      ]
        .filter(Boolean)
        .join(', ')}.`,
      motoEndpoint: moto?.endpoint,
      kubernetesSimulationUrl: simulation?.double.url,
      localRunner: runnerSetup,
    });
    const configFiles = [
      path.join(REPO_ROOT, 'app-config.yaml'),
      generatedConfig,
      ...(userConfig.file ? [userConfig.file] : []),
    ];

    log('starting the backend');
    const backend = await startBackend({ backendUrl, configFiles, echo });
    stops.push(() => backend.stop());
    if (options.frontend === 'dev-server') {
      log('starting the app development server');
      const app = await startAppDevServer({ appUrl, configFiles, echo });
      stops.push(() => app.stop());
    }
    let localRunner: LocalRunner | undefined;
    if (!runnerSetup) {
      log(
        'no local runner: app-config.local.yaml configures a real Kubernetes cluster, so new services are not deployed locally',
      );
    } else {
      const catalog = catalogApi(backendUrl, runnerSetup.catalogToken);
      const clusters = new SimulatedClusters({
        catalogFile: runnerSetup.clustersFile,
        catalog,
        known: { [DEMO_CLUSTER]: simulation.double },
      });
      stops.push(() => clusters.stop());
      localRunner = await startLocalRunner({
        publishDir: LOCAL_GIT_DIR,
        workDir: path.join(instanceDir, 'runner'),
        python: {
          sharedVenv: SHARED_VENV,
          referenceRepoDir: services[0].repoDir,
          venvCacheDir: path.join(DEMO_STATE_DIR, 'runner-venvs'),
        },
        deploy: deployment => clusters.deploy(deployment),
        beforeRolloutCompletes: options.beforeRolloutCompletes,
        recordDeploy:
          moto &&
          (async ({ component, environment, run, commit }) => {
            const repositoryUri =
              component.metadata.annotations?.[MLOPS_ANNOTATIONS.ecrRepository];
            if (!repositoryUri) return undefined;
            const tag = await tagDeployedImageInMoto({
              motoEndpoint: moto.endpoint,
              repositoryUri,
              environment,
              run,
              commit,
            });
            return `tagged a placeholder image ${tag} in moto's ECR repository ${repositoryUri}, as the deploy workflow tags the image it rolls out`;
          }),
        // A demo beside this one (`yarn start` and `yarn test:e2e`) shares the publish directory.
        isOwnRepository: dispatch =>
          catalog.hasLocationStartingWith(
            `https://${dispatch.host}/${dispatch.owner}/${dispatch.repo}/`,
          ),
        log,
      });
      stops.push(() => localRunner!.stop());
    }
    return {
      appUrl,
      backendUrl,
      emulators,
      modelServers: servers.map(({ service, environment, url }) => ({
        service,
        environment,
        url,
      })),
      localGitDir: LOCAL_GIT_DIR,
      motoEndpoint: moto?.endpoint,
      kubernetesProxied: proxied.map(({ service, annotation }) => ({
        service,
        target: annotation,
      })),
      localRunner,
      backendOutput: backend.output,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
