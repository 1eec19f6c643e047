import { mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import {
  DefaultEventsService,
  EventParams,
} from '@backstage/plugin-events-node';
import { MOTO_ACCOUNT_ID } from '@internal/moto-server';
import { CLUSTER_DISCOVERY_REQUESTED_TOPIC } from '../catalog/discoveryRequests';

/** The ML service `fraud-score`, its Terraform states under `s3://<bucket>/fraud-score/<env>/`. */
export function serviceWithStates(bucket: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: 'fraud-score',
      namespace: 'default',
      annotations: {
        'mlops/tfstate': `s3://${bucket}/fraud-score`,
        'mlops/aws-region': 'eu-west-1',
        'mlops/aws-account-id': MOTO_ACCOUNT_ID,
      },
    },
    spec: {
      type: 'service',
      lifecycle: 'experimental',
      owner: 'group:ml-team',
    },
  };
}

/**
 * The events service a backend gives plugins, with a subscriber to the
 * cluster discovery's topic that keeps every event it receives.
 */
export async function eventsWithDiscoverySubscriber() {
  const events = DefaultEventsService.create({
    logger: mockServices.logger.mock(),
  });
  const received: EventParams[] = [];
  await events.subscribe({
    id: 'catalog-mlops-cluster-discovery',
    topics: [CLUSTER_DISCOVERY_REQUESTED_TOPIC],
    onEvent: async event => {
      received.push(event);
    },
  });
  return { events, received };
}
