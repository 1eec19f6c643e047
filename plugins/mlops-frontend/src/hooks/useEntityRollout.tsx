import { useMemo } from 'react';
import { Entity } from '@backstage/catalog-model';
import { useKubernetesObjects } from '@backstage/plugin-kubernetes-react';
import { RolloutSummary, summarizeRollout } from '../kubernetes/rollout';

const REFRESH_INTERVAL_MS = 30_000;

/**
 * Rollout of an entity's Deployments. Only call it below
 * `RequireKubernetesPlugin`: the Kubernetes plugin's hook needs its APIs.
 */
export function useEntityRollout(entity: Entity): {
  summary?: RolloutSummary;
  loading: boolean;
  error?: string;
} {
  const { kubernetesObjects, loading, error } = useKubernetesObjects(
    entity,
    REFRESH_INTERVAL_MS,
  );
  const summary = useMemo(
    () => (kubernetesObjects ? summarizeRollout(kubernetesObjects) : undefined),
    [kubernetesObjects],
  );
  return { summary, loading: loading && !summary, error };
}
