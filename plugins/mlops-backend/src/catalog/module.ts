import {
  coreServices,
  createBackendModule,
  LoggerService,
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import {
  catalogProcessingExtensionPoint,
  catalogServiceRef,
} from '@backstage/plugin-catalog-node';
import { EventParams, eventsServiceRef } from '@backstage/plugin-events-node';
import { AwsClientFactory } from '../aws/AwsClientFactory';
import {
  CLUSTER_DISCOVERY_REQUESTED_TOPIC,
  parseClusterDiscoveryRequest,
} from './discoveryRequests';
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
 * (`enabled`, default true; `schedule`, default every 5 minutes). Between
 * runs, it reads an environment's state as soon as the mlops plugin sees its
 * first rollout (an events-service request).
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
        events: eventsServiceRef,
      },
      async init({
        catalogProcessing,
        catalog,
        auth,
        config,
        logger,
        scheduler,
        events,
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
        const provider = new TerraformStateClusterProvider({
          catalog,
          auth,
          logger,
          awsClientFactory: AwsClientFactory.fromConfig(config),
          taskRunner: scheduler.createScheduledTaskRunner(schedule),
        });
        catalogProcessing.addEntityProvider(provider);
        await events.subscribe({
          id: 'mlops-cluster-discovery',
          topics: [CLUSTER_DISCOVERY_REQUESTED_TOPIC],
          onEvent: event => discoverOnRequest(provider, logger, event),
        });
      },
    });
  },
});

async function discoverOnRequest(
  provider: TerraformStateClusterProvider,
  logger: LoggerService,
  event: EventParams,
): Promise<void> {
  const request = parseClusterDiscoveryRequest(event.eventPayload);
  if (!request) {
    logger.warn(
      `mlops cluster discovery: ignored a request on ${event.topic} without an entityRef and environment`,
    );
    return;
  }
  try {
    await provider.discoverEnvironment(request);
  } catch (error) {
    logger.warn(
      `mlops cluster discovery: could not read ${request.entityRef} ${
        request.environment
      }'s state on request (the next run will): ${
        error instanceof Error ? error.message : String(error)
      }`,
    );
  }
}
