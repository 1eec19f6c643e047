/*
 * The local runner: the local demo's stand-in for the GitHub Actions deploy workflow. GitHub is not
 * called in the demo; the scaffolder's local stand-ins publish to bare git repositories and record
 * the deploy dispatch beside them (<host>/<owner>/<repo>.github.json). This runner notices each new
 * dispatch of deploy.yml, clones the repository at the dispatched commit, trains the model, adds
 * the first environment's rendered overlay to a simulated cluster with its first rollout under way,
 * serves the model on loopback and, once it answers, completes the rollout with the Service routed
 * to it, so the new service's entity page shows it rolling out and then healthy through the
 * Kubernetes service proxy.
 */
import {
  getInferenceEndpoints,
  KubernetesServiceTarget,
} from '@eks-mlops/backstage-plugin-mlops-common';
import {
  KubernetesObject,
  loadManifests,
  parseManifests,
} from '@internal/kubernetes-test-double';
import { describeExit, freePort, hasExited } from '@internal/local-processes';
import {
  pipEnvironment,
  readCatalogComponent,
} from '@internal/ml-service-tools';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ManagedProcess, startProcess, waitForHttp } from './processes';
import { ClusterDeployment } from './simulatedClusters';

/** The prefix of every line the runner logs. */
export const LOCAL_RUNNER =
  '[local runner: stand-in for the GitHub Actions deploy workflow]';

const DEPLOY_WORKFLOWS = ['deploy.yml', 'deploy.yaml'];
const RECORD_SUFFIX = '.github.json';

/** One deploy dispatch recorded by the local GitHub stand-in. */
export interface RecordedDeployDispatch {
  /** `<host>/<owner>/<repo>` */
  repository: string;
  host: string;
  owner: string;
  repo: string;
  /** The bare repository beside the record. */
  gitDir: string;
  commit: string;
  ref: string;
  recordedAt: string;
  /** The repository's GitHub environments, in the order they were created. */
  environments: string[];
  /** Reviewers per environment, as recorded. */
  reviewers: Record<string, string[]>;
}

function dispatchKey(dispatch: RecordedDeployDispatch): string {
  return `${dispatch.repository}@${dispatch.commit}@${dispatch.recordedAt}`;
}

/** Every deploy dispatch recorded under the publish directory (`<host>/<owner>/<repo>.github.json`). */
export async function readDeployDispatches(
  publishDir: string,
): Promise<RecordedDeployDispatch[]> {
  const found: RecordedDeployDispatch[] = [];
  const hosts = await fs.readdir(publishDir).catch(() => [] as string[]);
  for (const host of hosts) {
    const owners = await fs
      .readdir(path.join(publishDir, host))
      .catch(() => [] as string[]);
    for (const owner of owners) {
      const files = await fs
        .readdir(path.join(publishDir, host, owner))
        .catch(() => [] as string[]);
      for (const file of files.filter(f => f.endsWith(RECORD_SUFFIX))) {
        const repo = file.slice(0, -RECORD_SUFFIX.length);
        const recordFile = path.join(publishDir, host, owner, file);
        let record: any;
        try {
          record = JSON.parse(await fs.readFile(recordFile, 'utf8'));
        } catch {
          // Written atomically by the backend; a file that does not parse is not a record.
          continue;
        }
        const environments = Object.keys(record?.environments ?? {});
        for (const dispatch of record?.dispatches ?? []) {
          if (!DEPLOY_WORKFLOWS.includes(dispatch?.workflowId)) continue;
          found.push({
            repository: `${host}/${owner}/${repo}`,
            host,
            owner,
            repo,
            gitDir: path.join(publishDir, host, owner, `${repo}.git`),
            commit: String(dispatch.commit),
            ref: String(dispatch.ref),
            recordedAt: String(dispatch.recordedAt),
            environments,
            reviewers: Object.fromEntries(
              environments.map(env => [
                env,
                (record.environments[env]?.reviewers ?? []) as string[],
              ]),
            ),
          });
        }
      }
    }
  }
  return found;
}

/** The Python the runner trains and serves with. */
export interface PythonEnvironments {
  /** The virtualenv the demo's model servers use. */
  sharedVenv: string;
  /** A repository whose requirements.txt the shared virtualenv satisfies. */
  referenceRepoDir: string;
  /** Where a virtualenv for other requirements is created (cached by their hash). */
  venvCacheDir: string;
}

/**
 * The virtualenv for a repository: the demo's shared one when its
 * requirements.txt is the one that venv was installed from, else one per
 * requirements hash, installed on first use (slow: pip downloads and builds).
 */
export async function venvFor(
  repoDir: string,
  python: PythonEnvironments,
  run: (
    name: string,
    command: string,
    args: string[],
    env?: NodeJS.ProcessEnv,
  ) => Promise<unknown>,
  log: (line: string) => void,
): Promise<string> {
  const requirements = await fs.readFile(
    path.join(repoDir, 'requirements.txt'),
  );
  const reference = await fs
    .readFile(path.join(python.referenceRepoDir, 'requirements.txt'))
    .catch(() => undefined);
  if (
    reference?.equals(requirements) &&
    (await exists(path.join(python.sharedVenv, 'bin/python')))
  ) {
    return python.sharedVenv;
  }
  const hash = createHash('sha256')
    .update(requirements)
    .digest('hex')
    .slice(0, 16);
  const venv = path.join(python.venvCacheDir, hash);
  const done = path.join(venv, '.installed');
  if (await exists(done)) return venv;
  log(
    `requirements.txt differs from the demo's model servers'; installing a virtualenv for it in ${venv} (once; pip may take minutes)`,
  );
  await fs.rm(venv, { recursive: true, force: true });
  await fs.mkdir(python.venvCacheDir, { recursive: true });
  await run('python venv', 'python3', ['-m', 'venv', venv]);
  await run(
    'pip install',
    path.join(venv, 'bin/python'),
    ['-m', 'pip', 'install', '--quiet', '-r', 'requirements.txt'],
    await pipEnvironment(),
  );
  await fs.writeFile(done, '');
  return venv;
}

async function exists(file: string): Promise<boolean> {
  return fs.stat(file).then(
    () => true,
    () => false,
  );
}

type Component = Parameters<typeof getInferenceEndpoints>[0];

/** The Component of a generated repository's catalog-info.yaml. */
export async function readComponent(repoDir: string): Promise<Component> {
  const component = await readCatalogComponent(repoDir);
  if (!component?.metadata?.name) {
    throw new Error('catalog-info.yaml has no Component');
  }
  return component as Component;
}

/**
 * Where the catalog says an environment is reached: its Kubernetes target.
 * Throws, saying why, for an environment reached by URL or not declared.
 */
export function kubernetesTargetOf(
  component: Component,
  environment: string,
): KubernetesServiceTarget & { cluster: string } {
  const endpoint = getInferenceEndpoints(component).find(
    e => e.environment === environment,
  );
  if (!endpoint) {
    throw new Error(
      `catalog-info.yaml declares no endpoint for environment ${environment}`,
    );
  }
  if (endpoint.invalid) {
    throw new Error(
      `catalog-info.yaml's ${environment} endpoint is invalid: ${endpoint.invalid}`,
    );
  }
  if (!endpoint.kubernetes) {
    throw new Error(
      `catalog-info.yaml reaches ${environment} at ${endpoint.url} (a host was chosen), which the local runner cannot serve; it serves services reached through the Kubernetes API (created without a host)`,
    );
  }
  if (!endpoint.kubernetes.cluster) {
    throw new Error(
      `the ${environment} Kubernetes target names no cluster; the local runner simulates the cluster it names`,
    );
  }
  return endpoint.kubernetes as KubernetesServiceTarget & { cluster: string };
}

/**
 * The overlay's objects the simulation serves, and the skipped ones:
 * namespaced objects and Namespaces are served (custom kinds as custom
 * resources); other cluster-scoped kinds (IngressClass, ClusterRole, …)
 * are not modelled by the simulation.
 */
export function simulatedObjects(objects: readonly KubernetesObject[]): {
  applied: KubernetesObject[];
  skipped: KubernetesObject[];
} {
  const applied: KubernetesObject[] = [];
  const skipped: KubernetesObject[] = [];
  for (const object of objects) {
    const modelled =
      object.kind === 'Namespace' || Boolean(object.metadata.namespace);
    (modelled ? applied : skipped).push(object);
  }
  return { applied, skipped };
}

/** A deployment the runner finished. */
export interface LocalDeployment {
  repository: string;
  environment: string;
  cluster: string;
  /** `k8s:<cluster>/<namespace>/<service>:<port>` as the catalog shows it. */
  target: string;
  modelServerUrl: string;
  /** When the dispatch was noticed and when the deployment was ready. */
  noticedAt: Date;
  readyAt: Date;
}

export interface LocalRunnerOptions {
  /** Where the local GitHub stand-in publishes repositories and records dispatches. */
  publishDir: string;
  /** Where repositories are cloned (removed on stop). */
  workDir: string;
  python: PythonEnvironments;
  /**
   * Adds a deployment's objects to a simulated cluster the Kubernetes plugin
   * knows, their Deployments in the rollout stage it names; called again with
   * the same objects as the rollout moves on.
   */
  deploy(deployment: ClusterDeployment): Promise<unknown>;
  /**
   * Awaited in a first rollout once the model server answers, before the
   * rollout completes and the Service routes to it: the browser test holds a
   * rollout there to see it in progress.
   */
  beforeRolloutCompletes?(rollout: {
    repository: string;
    environment: string;
    modelServerUrl: string;
  }): Promise<void>;
  /**
   * Leaves in AWS what the deploy workflow leaves before its rollout (the
   * image tag `<environment>-run-<run>-<attempt>` in the service's ECR
   * repository); returns what it did, for the log.
   */
  recordDeploy?(deploy: {
    component: Component;
    environment: string;
    run: number;
    commit: string;
  }): Promise<string | undefined>;
  /**
   * Whether this demo instance published the repository (another instance
   * may share the publish directory); dispatches of others are ignored.
   */
  isOwnRepository?(dispatch: RecordedDeployDispatch): Promise<boolean>;
  log?: (line: string) => void;
  pollMs?: number;
  /** How long a model server may take to answer ready. Default 60 s. */
  serverTimeoutMs?: number;
}

export interface LocalRunner {
  /** Finished deployments, oldest first. */
  readonly deployments: readonly LocalDeployment[];
  /** Failed runs: repository and reason. */
  readonly failures: ReadonlyArray<{ repository: string; reason: string }>;
  /** Resolves when every dispatch noticed so far has been handled. */
  idle(): Promise<void>;
  /** Stops polling, the run under way and every model server started. */
  stop(): Promise<void>;
}

/**
 * Starts the local runner. Dispatches recorded before it started are left
 * alone (their model servers ended with the demo that served them); each one
 * recorded later is run once, one at a time. A failed run is logged and
 * leaves nothing running; the runner goes on.
 */
export async function startLocalRunner(
  options: LocalRunnerOptions,
): Promise<LocalRunner> {
  const log = (line: string) => options.log?.(`${LOCAL_RUNNER} ${line}`);
  const seen = new Set(
    (await readDeployDispatches(options.publishDir)).map(dispatchKey),
  );
  log(
    `watching ${options.publishDir} for deploy workflow dispatches${
      seen.size ? ` (${seen.size} recorded earlier are not redeployed)` : ''
    }. It trains and serves the first environment on loopback and adds its overlay to a simulated cluster; nothing runs in GitHub or AWS.`,
  );
  const deployments: LocalDeployment[] = [];
  const failures: Array<{ repository: string; reason: string }> = [];
  /** The model server of each `<repository>/<environment>`: a redeploy replaces it. */
  const servers = new Map<string, ManagedProcess>();
  const running = new Set<ManagedProcess>();
  /** Aborted, with the error runs end with, once the runner is stopping. */
  const stopping = new AbortController();
  const stopped = () => stopping.signal.aborted;
  /** The promise, or a rejection once the runner is stopping. */
  const unlessStopped = (promise: Promise<void> | undefined) =>
    new Promise<void>((resolve, reject) => {
      const onStop = () => reject(stopping.signal.reason);
      if (stopped()) onStop();
      stopping.signal.addEventListener('abort', onStop, { once: true });
      Promise.resolve(promise)
        .then(resolve, reject)
        .finally(() => stopping.signal.removeEventListener('abort', onStop));
    });
  let runs = 0;
  let queue: Promise<void> = Promise.resolve();
  let polling: Promise<void> = Promise.resolve();

  const run = async (
    name: string,
    command: string,
    args: string[],
    cwd: string,
    env: NodeJS.ProcessEnv = {},
  ) => {
    stopping.signal.throwIfAborted();
    const child = startProcess(name, command, args, {
      cwd,
      env: { ...process.env, ...env },
    });
    running.add(child);
    try {
      const code = await new Promise<number | null>(resolve => {
        if (hasExited(child.child)) {
          resolve(child.child.exitCode);
        } else {
          child.child.once('exit', resolve);
        }
      });
      if (code !== 0) {
        throw new Error(
          `${name} (${command} ${args.join(' ')}) ${describeExit(
            child.child,
          )}:\n${child.output().slice(-3000)}`,
        );
      }
    } finally {
      running.delete(child);
    }
  };

  const deploy = async (dispatch: RecordedDeployDispatch) => {
    const noticedAt = new Date();
    const what = `${dispatch.owner}/${dispatch.repo}@${dispatch.commit.slice(
      0,
      7,
    )}`;
    log(
      `${what}: deploy.yml dispatched on ${dispatch.ref}; running it locally`,
    );
    runs += 1;
    // One directory per run: a model server deployed before may still serve from an earlier one.
    const cloneDir = path.join(
      options.workDir,
      `${runs}-${dispatch.owner}-${dispatch.repo}-${dispatch.commit.slice(
        0,
        12,
      )}`,
    );
    let server: ManagedProcess | undefined;
    let rolloutBegun: Omit<ClusterDeployment, 'serviceTargets'> | undefined;
    try {
      await fs.rm(cloneDir, { recursive: true, force: true });
      await fs.mkdir(options.workDir, { recursive: true });
      await run(
        'git clone',
        'git',
        ['clone', '--quiet', '--no-checkout', dispatch.gitDir, cloneDir],
        options.workDir,
      );
      await run(
        'git checkout',
        'git',
        [
          '-c',
          'advice.detachedHead=false',
          'checkout',
          '--quiet',
          dispatch.commit,
        ],
        cloneDir,
      );

      const component = await readComponent(cloneDir);
      const overlays = await fs
        .readdir(path.join(cloneDir, 'k8s/overlays'))
        .catch(() => [] as string[]);
      const environments = dispatch.environments.filter(e =>
        overlays.includes(e),
      );
      const environment = environments[0] ?? overlays.sort()[0];
      if (!environment) {
        throw new Error('the repository has no k8s/overlays/<environment>');
      }
      const target = kubernetesTargetOf(component, environment);

      const venv = await venvFor(
        cloneDir,
        options.python,
        (name, command, args, env) => run(name, command, args, cloneDir, env),
        line => log(`${what}: ${line}`),
      );
      const python = path.join(venv, 'bin/python');
      const trainStart = Date.now();
      // The training entry point of the generated repository (its Makefile's `train`).
      await run(
        'train',
        python,
        ['-m', 'model.train', '--output', 'artifacts'],
        cloneDir,
      );
      log(
        `${what}: trained in ${((Date.now() - trainStart) / 1000).toFixed(
          1,
        )} s`,
      );

      const overlay = path.join(cloneDir, 'k8s/overlays', environment);
      const { applied, skipped } = simulatedObjects(
        parseManifests(await loadManifests(overlay)),
      );
      if (skipped.length > 0) {
        log(
          `${what}: not simulated (cluster-scoped kinds the simulation does not model): ${skipped
            .map(o => `${o.kind}/${o.metadata.name}`)
            .join(', ')}`,
        );
      }
      const service = applied.find(
        o =>
          o.kind === 'Service' &&
          o.metadata.name === target.service &&
          o.metadata.namespace === target.namespace,
      );
      if (!service) {
        throw new Error(
          `the ${environment} overlay has no Service ${target.namespace}/${target.service}, which catalog-info.yaml targets`,
        );
      }
      const recorded = await options.recordDeploy?.({
        component,
        environment,
        run: runs,
        commit: dispatch.commit,
      });
      if (recorded) log(`${what}: ${recorded}`);
      const namespace = component.metadata.namespace ?? 'default';
      const inCluster = {
        cluster: target.cluster,
        objects: applied,
        owner: String(
          (component.spec as { owner?: unknown })?.owner ?? 'unknown',
        ),
        componentRef: `component:${namespace}/${component.metadata.name}`,
      };
      const key = `${dispatch.repository}/${environment}`;
      // As the deploy workflow's `kubectl apply` does, a first rollout puts
      // the objects in the cluster before any pod is ready, and the Service
      // routes to none until one is. A redeploy keeps the running server
      // serving until the new one answers, as a rolling update does.
      if (!servers.has(key)) {
        await options.deploy({
          ...inCluster,
          serviceTargets: {},
          scenario: 'first-rollout',
        });
        rolloutBegun = inCluster;
      }

      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      stopping.signal.throwIfAborted();
      // The generated app (its Makefile's `serve`), on loopback.
      server = startProcess(
        `${dispatch.repo}-${environment}`,
        python,
        ['-m', 'app'],
        {
          cwd: cloneDir,
          env: {
            ...process.env,
            MODEL_DIR: 'artifacts',
            HOST: '127.0.0.1',
            PORT: String(port),
            LOG_LEVEL: 'warning',
          },
        },
      );
      running.add(server);
      await waitForHttp(`${url}/v2/health/ready`, {
        timeoutMs: options.serverTimeoutMs ?? 60_000,
        process: server,
      });
      if (rolloutBegun) {
        await unlessStopped(
          options.beforeRolloutCompletes?.({
            repository: dispatch.repository,
            environment,
            modelServerUrl: url,
          }),
        );
      }
      await options.deploy({
        ...inCluster,
        serviceTargets: { [`${target.namespace}/${target.service}`]: url },
      });
      running.delete(server);
      const replaced = servers.get(key);
      servers.set(key, server);
      await replaced?.stop();
      const deployment: LocalDeployment = {
        repository: dispatch.repository,
        environment,
        cluster: target.cluster,
        target: `k8s:${target.cluster}/${target.namespace}/${target.service}:${target.port}`,
        modelServerUrl: url,
        noticedAt,
        readyAt: new Date(),
      };
      deployments.push(deployment);
      const later = dispatch.environments.filter(e => e !== environment);
      log(
        `${what}: ${environment} deployed in ${(
          (deployment.readyAt.getTime() - noticedAt.getTime()) /
          1000
        ).toFixed(1)} s: model server ${url}, ${
          applied.length
        } objects in the simulated cluster ${target.cluster}, reached at ${
          deployment.target
        }${
          later.length
            ? `. Not deployed locally: ${later
                .map(e =>
                  dispatch.reviewers[e]?.length
                    ? `${e} (in GitHub it waits for ${dispatch.reviewers[
                        e
                      ].join(', ')})`
                    : e,
                )
                .join(', ')}`
            : ''
        }`,
      );
    } catch (error) {
      if (server) {
        running.delete(server);
        await server.stop();
      }
      if (rolloutBegun && !stopped()) {
        // The pods of a model server that never answers keep crashing.
        await options
          .deploy({
            ...rolloutBegun,
            serviceTargets: {},
            scenario: 'crashloop',
          })
          .catch(() => undefined);
      }
      const reason = error instanceof Error ? error.message : String(error);
      failures.push({ repository: dispatch.repository, reason });
      log(
        `${what}: FAILED, nothing of it keeps running; the demo goes on. ${reason}`,
      );
    }
  };

  const enqueue = (dispatch: RecordedDeployDispatch) => {
    queue = queue.then(() => (stopped() ? undefined : deploy(dispatch)));
  };
  const poll = async () => {
    if (stopped()) return;
    const dispatches = await readDeployDispatches(options.publishDir);
    for (const dispatch of dispatches) {
      const key = dispatchKey(dispatch);
      if (seen.has(key)) continue;
      seen.add(key);
      const own = await Promise.resolve(
        options.isOwnRepository?.(dispatch) ?? true,
      ).catch(error => {
        log(
          `cannot tell whether ${dispatch.repository} is this demo's (${error}); deploying it`,
        );
        return true;
      });
      if (own) enqueue(dispatch);
    }
  };
  const timer = setInterval(() => {
    polling = polling
      .then(poll)
      .catch(error => log(`polling failed: ${error}`));
  }, options.pollMs ?? 1000);

  return {
    deployments,
    failures,
    async idle() {
      await polling;
      await queue;
    },
    async stop() {
      stopping.abort(new Error('the local runner is stopping'));
      clearInterval(timer);
      await Promise.all(
        [...running, ...servers.values()].map(process => process.stop()),
      );
      await polling.catch(() => undefined);
      await queue.catch(() => undefined);
      await fs.rm(options.workDir, { recursive: true, force: true });
    },
  };
}
