import { createApp } from '@backstage/frontend-defaults';
import catalogPlugin from '@backstage/plugin-catalog/alpha';
import kubernetesPlugin from '@backstage/plugin-kubernetes/alpha';
import orgPlugin from '@backstage/plugin-org/alpha';
import scaffolderPlugin from '@backstage/plugin-scaffolder/alpha';
import mlopsPlugin from '@eks-mlops/backstage-plugin-mlops/alpha';
import { localDemoModule } from './modules/localDemo';
import { navModule } from './modules/nav';

export default createApp({
  features: [
    catalogPlugin,
    scaffolderPlugin,
    kubernetesPlugin,
    orgPlugin,
    mlopsPlugin,
    navModule,
    localDemoModule,
  ],
});
