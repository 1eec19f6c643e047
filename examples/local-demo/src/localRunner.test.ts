import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  kubernetesTargetOf,
  LOCAL_RUNNER,
  LocalRunner,
  readComponent,
  simulatedObjects,
  startLocalRunner,
  LocalRunnerOptions,
} from './localRunner';
import { ClusterDeployment } from './simulatedClusters';

jest.setTimeout(120_000);

/*
 * A generated repository in miniature, with the entry points the runner uses: `python -m
 * model.train --output artifacts` and `python -m app` (MODEL_DIR, HOST, PORT). Standard library
 * only, so a virtualenv without packages runs it.
 */
const STUB_FILES: Record<string, string> = {
  'requirements.txt': '# standard library only\n',
  'model/__init__.py': '',
  'model/train.py': `
import argparse, os, pathlib, sys
parser = argparse.ArgumentParser()
parser.add_argument("--output", required=True)
args = parser.parse_args()
if os.path.exists("FAIL_TRAINING"):
    print("below the quality threshold", file=sys.stderr)
    sys.exit(1)
out = pathlib.Path(args.output)
out.mkdir(parents=True, exist_ok=True)
(out / "model.joblib").write_text("trained by " + sys.executable)
`,
  'app/__init__.py': '',
  'app/__main__.py': `
import http.server, os, pathlib
model = (pathlib.Path(os.environ["MODEL_DIR"]) / "model.joblib").read_text()
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = model.encode() if self.path == "/model" else b"{}"
        self.send_response(200 if self.path in ("/v2/health/ready", "/model") else 404)
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
http.server.ThreadingHTTPServer((os.environ["HOST"], int(os.environ["PORT"])), Handler).serve_forever()
`,
  'catalog-info.yaml': `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: stub
  annotations:
    mlops/model-name: stub
    mlops/kubernetes-service: stub-prod/ml-services/stub:http
    mlops/inference-environment: prod
    mlops/kubernetes-service-dev: stub-dev/ml-services/stub:http
spec:
  type: service
  owner: group:default/ml-team
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: stub-inference
spec:
  type: openapi
`,
  'k8s/overlays/dev/namespace.yaml': `apiVersion: v1
kind: Namespace
metadata:
  name: ml-services
`,
  'k8s/overlays/dev/workload.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: stub
  namespace: ml-services
  labels: { backstage.io/kubernetes-id: stub }
spec:
  selector: { matchLabels: { app: stub } }
  template:
    metadata: { labels: { app: stub } }
    spec: { containers: [{ name: model, image: stub:dev }] }
---
apiVersion: v1
kind: Service
metadata:
  name: stub
  namespace: ml-services
spec:
  selector: { app: stub }
  ports: [{ name: http, port: 80, targetPort: 8080 }]
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: alb
spec:
  controller: eks.amazonaws.com/alb
`,
  'k8s/overlays/prod/namespace.yaml': `apiVersion: v1
kind: Namespace
metadata:
  name: ml-services
`,
};

function git(args: string[], cwd: string) {
  execFileSync('git', args, { cwd, stdio: 'pipe' });
}

let root: string;
let publishDir: string;
let venvCacheDir: string;
let reference: string;
let sharedVenv: string;

/** Publishes the stub as <owner>/<repo> in the publish directory; returns its commit. */
async function publish(
  repo: string,
  change: (dir: string) => Promise<void> = async () => {},
): Promise<string> {
  const source = path.join(root, 'sources', repo);
  for (const [file, text] of Object.entries(STUB_FILES)) {
    await fs.mkdir(path.dirname(path.join(source, file)), { recursive: true });
    await fs.writeFile(path.join(source, file), text);
  }
  await change(source);
  git(['init', '--quiet', '--initial-branch=main'], source);
  git(['add', '--all'], source);
  git(
    [
      '-c',
      'user.name=t',
      '-c',
      'user.email=t@t',
      'commit',
      '--quiet',
      '-m',
      'first',
    ],
    source,
  );
  const bare = path.join(publishDir, 'github.com/acme', `${repo}.git`);
  await fs.mkdir(path.dirname(bare), { recursive: true });
  git(['init', '--bare', '--quiet', '--initial-branch=main', bare], root);
  git(['push', '--quiet', bare, 'HEAD:refs/heads/main'], source);
  return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: source })
    .toString()
    .trim();
}

/** Writes the record the local GitHub stand-in keeps, with one deploy dispatch. */
async function recordDispatch(
  repo: string,
  commit: string,
  workflowId = 'deploy.yml',
) {
  await fs.writeFile(
    path.join(publishDir, 'github.com/acme', `${repo}.github.json`),
    JSON.stringify({
      repository: `github.com/acme/${repo}`,
      environments: {
        dev: { reviewers: [] },
        prod: { reviewers: ['group:default/ml-team'] },
      },
      dispatches: [
        {
          workflowId,
          ref: 'main',
          commit,
          inputs: {},
          recordedAt: new Date().toISOString(),
        },
      ],
    }),
  );
}

beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'local-runner-'));
  publishDir = path.join(root, 'git');
  venvCacheDir = path.join(root, 'venvs');
  // The "demo's" virtualenv and the repository its requirements came from.
  sharedVenv = path.join(root, 'shared-venv');
  execFileSync('python3', ['-m', 'venv', '--without-pip', sharedVenv]);
  reference = path.join(root, 'reference');
  await fs.mkdir(reference);
  await fs.writeFile(
    path.join(reference, 'requirements.txt'),
    STUB_FILES['requirements.txt'],
  );
});

afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

async function eventually<T>(
  what: string,
  check: () => T | undefined,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise(resolve => setTimeout(resolve, 100));
  }
}

describe('startLocalRunner', () => {
  let runner: LocalRunner | undefined;
  afterEach(async () => {
    await runner?.stop();
    runner = undefined;
  });

  function start(
    deploy: (d: ClusterDeployment) => Promise<unknown>,
    lines: string[],
    isOwnRepository?: (d: { repo: string }) => Promise<boolean>,
    recordDeploy?: LocalRunnerOptions['recordDeploy'],
    beforeRolloutCompletes?: LocalRunnerOptions['beforeRolloutCompletes'],
  ) {
    return startLocalRunner({
      publishDir,
      workDir: path.join(root, `work-${Date.now()}`),
      python: { sharedVenv, referenceRepoDir: reference, venvCacheDir },
      deploy,
      isOwnRepository,
      recordDeploy,
      beforeRolloutCompletes,
      log: line => lines.push(line),
      pollMs: 100,
    });
  }

  it("deploys a new dispatch: clones the commit, trains, serves on loopback and hands the first environment's overlay to the cluster its catalog target names", async () => {
    const before = await publish('earlier');
    await recordDispatch('earlier', before);
    const deployments: ClusterDeployment[] = [];
    const lines: string[] = [];
    const recorded: string[] = [];
    const held: string[] = [];
    runner = await start(
      async d => {
        deployments.push(d);
      },
      lines,
      undefined,
      async ({ component, environment, run, commit: deployed }) => {
        // Before the rollout, as the deploy workflow tags the image it rolls out.
        expect(deployments).toHaveLength(0);
        recorded.push(
          `${component.metadata.name} ${environment} ${run} ${deployed}`,
        );
        return `tagged ${environment}-run-${run}-1`;
      },
      async ({ repository, environment, modelServerUrl }) => {
        // The objects are in the cluster, routed nowhere, and the model server answers.
        const ready = await fetch(`${modelServerUrl}/v2/health/ready`);
        held.push(
          `${repository} ${environment} ${ready.status} ${deployments
            .map(d => `${d.scenario} ${JSON.stringify(d.serviceTargets)}`)
            .join(', ')}`,
        );
      },
    );

    const commit = await publish('fresh');
    await recordDispatch('fresh', commit);
    await eventually('the deployment', () => runner!.deployments[0]);
    await runner.idle();

    // Not the dispatch recorded before it started. The rollout begins with
    // the objects and completes with the Service routed to the model server.
    expect(deployments.map(d => d.scenario)).toEqual([
      'first-rollout',
      undefined,
    ]);
    expect(held).toEqual(['github.com/acme/fresh dev 200 first-rollout {}']);
    const [begun, deployment] = deployments;
    expect(begun.objects).toEqual(deployment.objects);
    expect(recorded).toEqual([`stub dev 1 ${commit}`]);
    expect(deployment.cluster).toBe('stub-dev');
    expect(deployment.owner).toBe('group:default/ml-team');
    expect(deployment.componentRef).toBe('component:default/stub');
    expect(
      deployment.objects.map(o => `${o.kind}/${o.metadata.name}`).sort(),
    ).toEqual(['Deployment/stub', 'Namespace/ml-services', 'Service/stub']);
    const url = deployment.serviceTargets['ml-services/stub'];
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    // The served model is the one trained with the demo's shared virtualenv.
    const model = await (await fetch(`${url}/model`)).text();
    expect(model).toBe(`trained by ${path.join(sharedVenv, 'bin/python')}`);

    expect(runner.deployments).toEqual([
      expect.objectContaining({
        repository: 'github.com/acme/fresh',
        environment: 'dev',
        cluster: 'stub-dev',
        target: 'k8s:stub-dev/ml-services/stub:http',
        modelServerUrl: url,
      }),
    ]);
    expect(lines.every(line => line.startsWith(LOCAL_RUNNER))).toBe(true);
    expect(lines.join('\n')).toContain('1 recorded earlier are not redeployed');
    expect(lines.join('\n')).toContain('IngressClass/alb');
    expect(lines.join('\n')).toContain('tagged dev-run-1-1');
    expect(lines.join('\n')).toContain(
      'prod (in GitHub it waits for group:default/ml-team)',
    );

    await runner.stop();
    runner = undefined;
    await expect(fetch(`${url}/v2/health/ready`)).rejects.toThrow();
  });

  it('logs a failed run, keeps nothing of it running and goes on with the next', async () => {
    const lines: string[] = [];
    const deployments: ClusterDeployment[] = [];
    runner = await start(async d => {
      deployments.push(d);
    }, lines);
    const failing = await publish('failing', dir =>
      fs.writeFile(path.join(dir, 'FAIL_TRAINING'), ''),
    );
    await recordDispatch('failing', failing);
    await eventually('the failure', () => runner!.failures[0]);
    expect(runner.failures[0].repository).toBe('github.com/acme/failing');
    expect(runner.failures[0].reason).toContain('below the quality threshold');
    expect(lines.join('\n')).toMatch(/acme\/failing@\w+: FAILED/);

    expect(deployments).toHaveLength(0);

    // A rollout that cannot complete stops the model server it started and
    // leaves the pods it began crash-looping.
    const calls: ClusterDeployment[] = [];
    await runner.stop();
    runner = await start(async d => {
      calls.push(d);
      if (d.serviceTargets['ml-services/stub']) {
        throw new Error('GET /api/catalog/entities answered HTTP 401');
      }
    }, lines);
    const again = await publish('refused-again');
    await recordDispatch('refused-again', again);
    await eventually('the refusal', () => runner!.failures[0]);
    expect(runner.failures[0].reason).toContain('HTTP 401');
    expect(calls.map(d => d.scenario)).toEqual([
      'first-rollout',
      undefined,
      'crashloop',
    ]);
    expect(calls[2].serviceTargets).toEqual({});
    const url = calls[1].serviceTargets['ml-services/stub'];
    await expect(fetch(`${url}/v2/health/ready`)).rejects.toThrow();

    // One whose objects cannot be applied goes no further.
    const refused: ClusterDeployment[] = [];
    await runner.stop();
    runner = await start(async d => {
      refused.push(d);
      throw new Error('GET /api/catalog/entities answered HTTP 401');
    }, lines);
    await recordDispatch('refused-at-once', await publish('refused-at-once'));
    await eventually('the refusal', () => runner!.failures[0]);
    expect(refused.map(d => d.scenario)).toEqual(['first-rollout']);
  });

  it('stops a first rollout held before it completes, and the model server it started', async () => {
    const deployments: ClusterDeployment[] = [];
    let reached!: (url: string) => void;
    const heldAt = new Promise<string>(resolve => (reached = resolve));
    runner = await start(
      async d => {
        deployments.push(d);
      },
      [],
      undefined,
      undefined,
      ({ modelServerUrl }) => {
        reached(modelServerUrl);
        return new Promise(() => {});
      },
    );
    await recordDispatch('held', await publish('held'));
    const url = await heldAt;
    expect((await fetch(`${url}/v2/health/ready`)).status).toBe(200);
    await runner.stop();
    runner = undefined;
    await expect(fetch(`${url}/v2/health/ready`)).rejects.toThrow();
    // Stopping is not a failed rollout.
    expect(deployments.map(d => d.scenario)).toEqual(['first-rollout']);
  });

  it('replaces the model server of a repository deployed again', async () => {
    const deployments: ClusterDeployment[] = [];
    runner = await start(async d => {
      deployments.push(d);
    }, []);
    const commit = await publish('twice');
    await recordDispatch('twice', commit);
    await eventually('the first deployment', () => runner!.deployments[0]);
    await new Promise(resolve => setTimeout(resolve, 5));
    await recordDispatch('twice', commit);
    await eventually('the second deployment', () => runner!.deployments[1]);
    await runner.idle();
    // The second rolls over the running server, as a rolling update does.
    expect(deployments.map(d => d.scenario)).toEqual([
      'first-rollout',
      undefined,
      undefined,
    ]);
    const [first, second] = runner.deployments.map(d => d.modelServerUrl);
    expect(second).not.toBe(first);
    await expect(fetch(`${first}/v2/health/ready`)).rejects.toThrow();
    expect((await fetch(`${second}/v2/health/ready`)).status).toBe(200);
  });

  it("ignores another demo instance's repositories", async () => {
    const lines: string[] = [];
    const deployments: ClusterDeployment[] = [];
    runner = await start(
      async d => {
        deployments.push(d);
      },
      lines,
      async d => d.repo !== 'elsewhere',
    );
    await recordDispatch('elsewhere', await publish('elsewhere'));
    await recordDispatch('here', await publish('here'));
    await eventually('the deployment', () => deployments[0]);
    await runner.idle();
    expect(runner.deployments.map(d => d.repository)).toEqual([
      'github.com/acme/here',
    ]);
  });

  it("installs a virtualenv of its own when requirements.txt differs from the demo servers'", async () => {
    const lines: string[] = [];
    runner = await start(async () => undefined, lines);
    await recordDispatch(
      'own-venv',
      await publish('own-venv', dir =>
        fs.writeFile(
          path.join(dir, 'requirements.txt'),
          '# nothing to install\n',
        ),
      ),
    );
    const deployment = await eventually(
      'the deployment',
      () => runner!.deployments[0],
      110_000,
    );
    const model = await (
      await fetch(`${deployment.modelServerUrl}/model`)
    ).text();
    expect(model).toContain(venvCacheDir);
    expect(lines.join('\n')).toContain('requirements.txt differs');
  });
});

describe('catalog targets and overlays', () => {
  it('reads the target of an environment, and says why one cannot be served', async () => {
    const dir = path.join(root, 'sources', 'targets');
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(
      path.join(dir, 'catalog-info.yaml'),
      STUB_FILES['catalog-info.yaml'],
    );
    const component = await readComponent(dir);
    expect(kubernetesTargetOf(component, 'dev')).toEqual({
      cluster: 'stub-dev',
      namespace: 'ml-services',
      service: 'stub',
      port: 'http',
    });
    expect(() => kubernetesTargetOf(component, 'staging')).toThrow(
      'declares no endpoint for environment staging',
    );
    const withHost = {
      ...component,
      metadata: {
        name: 'stub',
        annotations: {
          'mlops/model-name': 'stub',
          'mlops/inference-url': 'https://stub.example.com',
          'mlops/inference-environment': 'dev',
        },
      },
    };
    expect(() => kubernetesTargetOf(withHost, 'dev')).toThrow(
      'a host was chosen',
    );
  });

  it('simulates namespaced objects and Namespaces, skips other cluster-scoped kinds', () => {
    const object = (kind: string, namespace?: string) => ({
      apiVersion: 'v1',
      kind,
      metadata: { name: kind.toLowerCase(), ...(namespace && { namespace }) },
    });
    const { applied, skipped } = simulatedObjects([
      object('Namespace'),
      object('ServiceAccount', 'ml'),
      object('Role', 'ml'),
      object('IngressClass'),
      object('ClusterRole'),
    ]);
    expect(applied.map(o => o.kind)).toEqual([
      'Namespace',
      'ServiceAccount',
      'Role',
    ]);
    expect(skipped.map(o => o.kind)).toEqual(['IngressClass', 'ClusterRole']);
  });
});
