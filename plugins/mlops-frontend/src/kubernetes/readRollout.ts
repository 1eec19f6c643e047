import { Entity } from '@backstage/catalog-model';
import { ObjectsByEntityResponse } from '@backstage/plugin-kubernetes-common';
import { countedClusters } from './entityClusters';
import { PlacementReading, readPlacements } from './environmentPlacements';
import { RolloutSummary, summarizeRollout } from './rollout';

/** The entity's rollout and what it tells of each placed environment. */
export interface EntityRolloutReading {
  summary: RolloutSummary;
  placements: ReadonlyMap<string, PlacementReading>;
}

/**
 * Reads the Kubernetes plugin's answer for the entity as its page and the
 * fleet page both do: only the entity's own clusters count (see
 * `countedClusters`), among `knownClusters` (the names the plugin lists) and
 * the clusters in the answer.
 */
export function readRollout(
  entity: Entity,
  objects: ObjectsByEntityResponse,
  knownClusters: string[],
): EntityRolloutReading {
  const own = countedClusters(entity, [
    ...knownClusters,
    ...objects.items.map(item => item.cluster.name),
  ]);
  const summary = summarizeRollout(objects, own);
  return { summary, placements: readPlacements(entity, summary) };
}
