/*
 * The REAL @backstage/plugin-kubernetes-backend in a test backend (mock auth,
 * so it accepts the service tokens of the mlops test backend), run as its own
 * Node.js process by startKubernetesBackend.ts: the plugin loads
 * @kubernetes/client-node (ESM) with a dynamic `import()`, which Jest's VM
 * only supports under --experimental-vm-modules. Argument: a JSON file with
 * the root config. Prints `listening <port>` once started.
 */
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import kubernetesPlugin from '@backstage/plugin-kubernetes-backend';

async function main() {
  const config = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  // The plugin imports @kubernetes/client-node on its first proxied request.
  // Loading it takes seconds on a busy CI machine, which ate the prober's
  // timeout of the first probe through the proxy; imported here (the very
  // module the plugin resolves), it is in the module cache before `listening`.
  await import(
    pathToFileURL(
      require.resolve('@kubernetes/client-node', {
        paths: [require.resolve('@backstage/plugin-kubernetes-backend')],
      }),
    ).href
  );
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
