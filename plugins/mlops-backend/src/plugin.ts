import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { mlopsPermissions } from '@eks-mlops/backstage-plugin-mlops-common';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import {
  createMlopsServices,
  scheduleMlopsTasks,
} from './service/createMlopsServices';
import { createRouter } from './service/router';

/**
 * The `mlops` backend plugin, serving `/api/mlops`: endpoint health of ML
 * services (a scheduled prober with history), the fleet view and a guarded,
 * permission-checked predict proxy.
 *
 * @public
 */
export const mlopsPlugin = createBackendPlugin({
  pluginId: 'mlops',
  register(env) {
    env.registerInit({
      deps: {
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        auth: coreServices.auth,
        logger: coreServices.logger,
        config: coreServices.rootConfig,
        database: coreServices.database,
        cache: coreServices.cache,
        scheduler: coreServices.scheduler,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        auditor: coreServices.auditor,
        catalog: catalogServiceRef,
      },
      async init(deps) {
        deps.permissionsRegistry.addPermissions(mlopsPermissions);
        const services = await createMlopsServices(deps);
        await scheduleMlopsTasks(deps.scheduler, services, deps.logger);
        deps.httpRouter.use(
          await createRouter({
            ...deps,
            ...services,
            catalog: services.catalog,
            maxPredictRequestBytes: services.options.predict.maxRequestBytes,
          }),
        );
        deps.httpRouter.addAuthPolicy({
          path: '/health',
          allow: 'unauthenticated',
        });
      },
    });
  },
});
