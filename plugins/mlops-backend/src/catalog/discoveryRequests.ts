import { z } from 'zod/v3';

/**
 * The events topic on which the mlops plugin asks the cluster discovery to
 * read one environment's Terraform state now, instead of at its next run:
 * the environment was deployed (its rollout tagged an image) and has not
 * answered yet, so its cluster may be one the Kubernetes plugin does not
 * know.
 */
export const CLUSTER_DISCOVERY_REQUESTED_TOPIC =
  'mlops.cluster-discovery.requested';

const requestSchema = z.object({
  entityRef: z.string().min(1),
  environment: z.string().min(1),
});

/** What a request on {@link CLUSTER_DISCOVERY_REQUESTED_TOPIC} carries. */
export type ClusterDiscoveryRequest = z.infer<typeof requestSchema>;

/** The request an event carries, or undefined when it is not one. */
export function parseClusterDiscoveryRequest(
  payload: unknown,
): ClusterDiscoveryRequest | undefined {
  const parsed = requestSchema.safeParse(payload);
  return parsed.success ? parsed.data : undefined;
}
