import { LoggerService } from '@backstage/backend-plugin-api';
import { EventsService } from '@backstage/plugin-events-node';
import {
  CLUSTER_DISCOVERY_REQUESTED_TOPIC,
  ClusterDiscoveryRequest,
} from '../../catalog/discoveryRequests';
import { setNewest } from '../boundedMap';
import { endpointKey } from '../endpoints';

/** How often one environment may ask again while it stays deployed and silent. */
export const CLUSTER_DISCOVERY_REQUEST_INTERVAL_MS = 2 * 60_000;
/** Environments remembered at once; the oldest are forgotten first. */
const MAX_REMEMBERED = 10_000;

/**
 * Asks the mlops catalog module's cluster discovery, over the events
 * service, to read a deployed environment's Terraform state now: its cluster
 * then reaches the Kubernetes plugin within seconds of the rollout instead of
 * at the discovery's next run (every 5 minutes by default). At most once per
 * `intervalMs` per environment; a request that cannot be published is logged,
 * never thrown at the probe that made it.
 */
export class ClusterDiscoveryRequests {
  private readonly lastRequested = new Map<string, number>();

  constructor(
    private readonly options: {
      events: EventsService;
      logger: LoggerService;
      intervalMs: number;
      now?: () => number;
    },
  ) {}

  request(request: ClusterDiscoveryRequest): void {
    const key = endpointKey(request.entityRef, request.environment);
    const now = (this.options.now ?? Date.now)();
    const last = this.lastRequested.get(key);
    if (last !== undefined && now - last < this.options.intervalMs) return;
    setNewest(this.lastRequested, key, now, MAX_REMEMBERED);
    this.options.events
      .publish({
        topic: CLUSTER_DISCOVERY_REQUESTED_TOPIC,
        eventPayload: request,
      })
      .catch(error =>
        this.options.logger.warn(
          `could not ask the cluster discovery to read ${request.entityRef} ${
            request.environment
          }'s state now (it reads it at its next run): ${
            error instanceof Error ? error.message : String(error)
          }`,
        ),
      );
  }
}
