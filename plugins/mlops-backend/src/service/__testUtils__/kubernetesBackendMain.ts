/*
 * The REAL @backstage/plugin-kubernetes-backend in a test backend (mock auth,
 * so it accepts the service tokens of the mlops test backend), run as its own
 * Node.js process by startKubernetesBackend.ts: the plugin loads
 * @kubernetes/client-node (ESM) with a dynamic `import()`, which Jest's VM
 * only supports under --experimental-vm-modules. That import happens on the
 * plugin's first proxied request, as in production: the mlops backend's
 * warm-up call (KubernetesServiceProxy) waits for it, not a probe. Argument:
 * a JSON file with the root config. Prints `listening <port>` once started.
 */
import fs from 'node:fs';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import kubernetesPlugin from '@backstage/plugin-kubernetes-backend';

async function main() {
  const config = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const backend = await startTestBackend({
    features: [
      kubernetesPlugin,
      catalogServiceMock.factory({ entities: [] }),
      mockServices.rootConfig.factory({ data: config }),
    ],
  });
  const address = backend.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.stdout.write(`listening ${port}\n`);
  process.once('SIGTERM', () => {
    backend.stop().finally(() => process.exit(0));
  });
}

main().catch(error => {
  process.stderr.write(`kubernetes backend failed to start: ${error}\n`);
  process.exit(1);
});
