/*
 * node --require @backstage/cli/config/nodeTransform.cjs packages/kubernetes-test-double/src/cli.ts \
 *   --manifests <file-or-dir> [--port N] [--host H] [--scenario <deployment>=<scenario>]... [--service-target <namespace>/<service>=<url>]... [--log-requests]
 *
 * Serves the manifests (a YAML file, a kustomize directory rendered with `kubectl kustomize`, or a
 * directory of YAML files) as a read-only, simulated Kubernetes API until interrupted.
 */
import { parseArgs } from 'node:util';
import { createKubernetesTestDouble } from './createKubernetesTestDouble';
import { loadManifests } from './loadManifests';
import { DEPLOYMENT_SCENARIOS, DeploymentScenario } from './types';

const USAGE = `usage: cli.ts --manifests <file-or-dir> [--port N] [--host H] [--scenario <deployment>=<scenario>]... [--service-target <namespace>/<service>=<url>]... [--log-requests]
scenarios: ${DEPLOYMENT_SCENARIOS.join(', ')} (default healthy)`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      manifests: { type: 'string' },
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      scenario: { type: 'string', multiple: true, default: [] },
      'service-target': { type: 'string', multiple: true, default: [] },
      'log-requests': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (!values.manifests) {
    throw new Error(`--manifests is required\n${USAGE}`);
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`--port must be a port number, got "${values.port}"`);
  }
  const scenarios: Record<string, DeploymentScenario> = {};
  for (const assignment of values.scenario) {
    const [name, scenario] = assignment.split('=');
    if (!name || !scenario) {
      throw new Error(
        `--scenario must look like <deployment>=<scenario>, got "${assignment}"`,
      );
    }
    scenarios[name] = scenario as DeploymentScenario;
  }

  const serviceTargets: Record<string, string> = {};
  for (const assignment of values['service-target']) {
    const at = assignment.indexOf('=');
    const service = assignment.slice(0, at);
    const url = assignment.slice(at + 1);
    if (
      at < 0 ||
      !/^[^/=]+\/[^/=]+$/.test(service) ||
      !/^https?:\/\//.test(url)
    ) {
      throw new Error(
        `--service-target must look like <namespace>/<service>=<http(s) URL>, got "${assignment}"`,
      );
    }
    serviceTargets[service] = url;
  }

  const testDouble = await createKubernetesTestDouble({
    manifests: await loadManifests(values.manifests),
    scenarios,
    serviceTargets,
    port,
    host: values.host,
    onRequest: values['log-requests']
      ? ({ status, method, url }) =>
          process.stdout.write(`${status} ${method} ${url}\n`)
      : undefined,
  });
  process.stdout.write(
    `kubernetes test double (simulation) listening on ${testDouble.url}\n`,
  );
  const shutdown = () => {
    testDouble.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch(error => {
  process.stderr.write(`${error instanceof Error ? error.message : error}\n`);
  process.exit(1);
});
