import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { mlopsPermissions } from '@eks-mlops/backstage-plugin-mlops-common';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { AwsClientFactory } from './aws/AwsClientFactory';
import { readMlopsServiceOptions } from './service/config';
import { createMlopsServices } from './service/createMlopsServices';
import { scheduleMlopsTasks } from './service/scheduling/scheduleMlopsTasks';
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
        discovery: coreServices.discovery,
        logger: coreServices.logger,
        config: coreServices.rootConfig,
        database: coreServices.database,
        cache: coreServices.cache,
        scheduler: coreServices.scheduler,
        lifecycle: coreServices.lifecycle,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        auditor: coreServices.auditor,
        catalog: catalogServiceRef,
        events: eventsServiceRef,
      },
      async init(deps) {
        deps.permissionsRegistry.addPermissions(mlopsPermissions);
        const options = readMlopsServiceOptions(deps.config);
        const services = await createMlopsServices({
          options,
          logger: deps.logger,
          database: deps.database,
          cache: deps.cache,
          auth: deps.auth,
          discovery: deps.discovery,
          permissions: deps.permissions,
          auditor: deps.auditor,
          catalog: deps.catalog,
          events: deps.events,
          awsClientFactory: AwsClientFactory.fromConfig(deps.config),
        });
        deps.lifecycle.addShutdownHook(() => services.shutdown());
        await scheduleMlopsTasks({
          scheduler: deps.scheduler,
          database: deps.database,
          logger: deps.logger,
          settings: options,
          prober: services.prober,
          store: services.store,
        });
        deps.httpRouter.use(
          await createRouter({
            httpAuth: deps.httpAuth,
            fleet: services.fleet,
            health: services.health,
            predict: services.predict,
            maxPredictRequestBytes: options.predict.maxRequestBytes,
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
