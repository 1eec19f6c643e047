import {
  coreServices,
  createBackendModule,
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import {
  catalogProcessingExtensionPoint,
  catalogServiceRef,
} from '@backstage/plugin-catalog-node';
import { AwsClientFactory } from '../aws/AwsClientFactory';
import { TerraformStateClusterProvider } from './TerraformStateClusterProvider';

const DEFAULT_SCHEDULE: SchedulerServiceTaskScheduleDefinition = {
  frequency: { minutes: 5 },
  timeout: { minutes: 3 },
  initialDelay: { seconds: 30 },
};

/**
 * Catalog module that turns the Terraform state of each ML service
 * (`mlops/tfstate`) into `kubernetes-cluster` Resources for the Kubernetes
 * plugin's catalog cluster locator. Config: `mlops.clusterDiscovery`
 * (`enabled`, default true; `schedule`, default every 5 minutes).
 *
 * @public
 */
export const catalogModuleMlopsClusters = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'mlops-clusters',
  register({ registerInit }) {
    registerInit({
      deps: {
        catalogProcessing: catalogProcessingExtensionPoint,
        catalog: catalogServiceRef,
        auth: coreServices.auth,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        scheduler: coreServices.scheduler,
      },
      async init({
        catalogProcessing,
        catalog,
        auth,
        config,
        logger,
        scheduler,
      }) {
        const settings = config.getOptionalConfig('mlops.clusterDiscovery');
        if (settings?.getOptionalBoolean('enabled') === false) {
          logger.info(
            'mlops cluster discovery disabled (mlops.clusterDiscovery.enabled: false)',
          );
          return;
        }
        const schedule = settings?.has('schedule')
          ? readSchedulerServiceTaskScheduleDefinitionFromConfig(
              settings.getConfig('schedule'),
            )
          : DEFAULT_SCHEDULE;
        catalogProcessing.addEntityProvider(
          new TerraformStateClusterProvider({
            catalog,
            auth,
            logger,
            awsClientFactory: AwsClientFactory.fromConfig(config),
            taskRunner: scheduler.createScheduledTaskRunner(schedule),
          }),
        );
      },
    });
  },
});
