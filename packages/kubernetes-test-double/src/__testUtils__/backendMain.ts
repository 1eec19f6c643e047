/*
 * A real Backstage backend (backend-defaults) with the catalog and kubernetes-backend plugins, run
 * as its own Node.js process by startKubernetesBackend.ts with `--config <file>`.
 *
 * It runs outside Jest because kubernetes-backend loads @kubernetes/client-node (ESM) with a
 * dynamic `import()`, which Jest's VM only supports under --experimental-vm-modules.
 */
import { createBackend } from '@backstage/backend-defaults';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import kubernetesPlugin from '@backstage/plugin-kubernetes-backend';

const backend = createBackend();
backend.add(catalogPlugin);
backend.add(kubernetesPlugin);
backend.start().catch(error => {
  process.stderr.write(`backend failed to start: ${error}\n`);
  process.exit(1);
});

process.once('SIGTERM', () => {
  backend.stop().finally(() => process.exit(0));
});
