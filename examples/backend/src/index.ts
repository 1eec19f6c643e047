import { createBackend } from '@backstage/backend-defaults';
import { publishingFeatures } from './localPublish';

const backend = createBackend();

backend.add(import('@backstage/plugin-app-backend'));

backend.add(import('@backstage/plugin-events-backend'));

backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));

backend.add(import('@backstage/plugin-permission-backend'));
backend.add(
  import('@backstage/plugin-permission-backend-module-allow-all-policy'),
);

backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(
  import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'),
);
backend.add(import('@eks-mlops/backstage-plugin-mlops-backend/catalog'));

backend.add(import('@backstage/plugin-scaffolder-backend'));
backend.add(import('@eks-mlops/backstage-plugin-mlops-backend/scaffolder'));
backend.add(publishingFeatures);

backend.add(import('@backstage/plugin-kubernetes-backend'));

backend.add(import('@eks-mlops/backstage-plugin-mlops-backend'));

backend.start();
