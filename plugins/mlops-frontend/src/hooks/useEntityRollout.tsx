import { createContext, ReactNode, useContext, useMemo } from 'react';
import { Entity } from '@backstage/catalog-model';
import { ApiHolder, useApi, useApiHolder } from '@backstage/core-plugin-api';
import {
  kubernetesApiRef,
  kubernetesAuthProvidersApiRef,
  useKubernetesObjects,
} from '@backstage/plugin-kubernetes-react';
import useAsync from 'react-use/esm/useAsync';
import { hasKubernetesAnnotation } from '../kubernetes/annotations';
import { clustersNamedBy, countedClusters } from '../kubernetes/entityClusters';
import {
  describePlacement,
  PlacementReading,
  readPlacements,
} from '../kubernetes/environmentPlacements';
import {
  RolloutSummary,
  summarizeRollout,
  whereNotFound,
} from '../kubernetes/rollout';

const REFRESH_INTERVAL_MS = 30_000;

/** The rollout of an entity's Deployments, as the Kubernetes plugin reports it. */
export type EntityRollout =
  /** The app lacks the Kubernetes plugin or the entity its annotation. */
  | { status: 'unavailable' }
  | { status: 'loading' }
  | { status: 'error'; error: string }
  | {
      status: 'loaded';
      summary: RolloutSummary;
      /** What the answer tells of each placed environment; see `readPlacements`. */
      placements: ReadonlyMap<string, PlacementReading>;
    };

const EntityRolloutContext = createContext<EntityRollout>({
  status: 'unavailable',
});

export function isKubernetesPluginInstalled(apis: ApiHolder): boolean {
  return Boolean(
    apis.get(kubernetesApiRef) && apis.get(kubernetesAuthProvidersApiRef),
  );
}

/**
 * Reads the entity's rollout once for everything below it: the rollout
 * views and the endpoints, which say "not deployed yet" rather than "down"
 * while no Deployment exists.
 */
export function EntityRolloutProvider(props: {
  entity: Entity;
  children: ReactNode;
}) {
  const apis = useApiHolder();
  if (
    !isKubernetesPluginInstalled(apis) ||
    !hasKubernetesAnnotation(props.entity)
  ) {
    return <>{props.children}</>;
  }
  return (
    <KubernetesRolloutProvider entity={props.entity}>
      {props.children}
    </KubernetesRolloutProvider>
  );
}

/** Uses the Kubernetes plugin's hook, which needs its APIs. */
function KubernetesRolloutProvider(props: {
  entity: Entity;
  children: ReactNode;
}) {
  const { kubernetesObjects, loading, error } = useKubernetesObjects(
    props.entity,
    REFRESH_INTERVAL_MS,
  );
  const knownClusters = useKnownClusters(props.entity);
  const rollout = useMemo((): EntityRollout => {
    if (error) {
      return { status: 'error', error };
    }
    // A refresh keeps showing the last answer.
    if (kubernetesObjects && knownClusters) {
      const own = countedClusters(props.entity, [
        ...knownClusters,
        ...kubernetesObjects.items.map(item => item.cluster.name),
      ]);
      const summary = summarizeRollout(kubernetesObjects, own);
      return {
        status: 'loaded',
        summary,
        placements: readPlacements(props.entity, summary),
      };
    }
    return loading || !knownClusters
      ? { status: 'loading' }
      : { status: 'error', error: 'The Kubernetes backend did not answer.' };
  }, [props.entity, kubernetesObjects, knownClusters, loading, error]);
  return (
    <EntityRolloutContext.Provider value={rollout}>
      {props.children}
    </EntityRolloutContext.Provider>
  );
}

/**
 * The names of every cluster the Kubernetes plugin knows; undefined while
 * they load. Its answer for the entity leaves out the clusters where it found
 * nothing, such as the entity's own before the first deploy, so only this
 * list tells that a name the entity gives is a cluster. Read only for an
 * entity that names clusters; when it cannot be read, the clusters in the
 * answer are all that is known.
 */
function useKnownClusters(entity: Entity): string[] | undefined {
  const kubernetesApi = useApi(kubernetesApiRef);
  const namesClusters = clustersNamedBy(entity).length > 0;
  const { value, loading } = useAsync(async () => {
    if (!namesClusters) {
      return [];
    }
    try {
      const clusters = await kubernetesApi.getClusters();
      return clusters.map(cluster => cluster.name);
    } catch {
      return [];
    }
  }, [kubernetesApi, namesClusters]);
  return loading ? undefined : value ?? [];
}

/** The rollout read by the enclosing `EntityRolloutProvider`. */
export function useEntityRollout(): EntityRollout {
  return useContext(EntityRolloutContext);
}

/**
 * Where the environment's Deployment was looked for and not found, when it
 * is known not to be deployed yet; otherwise undefined. An environment whose
 * placement the entity gives (see `readPlacements`) is judged by it alone:
 * production awaiting approval while development runs is not deployed yet,
 * and an environment whose namespace was not fetched is not judged. Any other
 * is not deployed yet when the Kubernetes plugin answered from every cluster
 * that counts for the entity (its own, when it names them; see
 * `countedClusters`) and none has a Deployment of it. Other services'
 * clusters refusing the entity's namespace do not stand in the way.
 */
export function useWhereNotDeployed(environment: string): string | undefined {
  const rollout = useEntityRollout();
  if (rollout.status !== 'loaded') {
    return undefined;
  }
  const reading = rollout.placements.get(environment);
  if (reading?.status === 'not-deployed') {
    return describePlacement(reading.placement);
  }
  if (reading && reading.status !== 'not-read') {
    return undefined;
  }
  const { summary } = rollout;
  return summary.deployments.length === 0 &&
    summary.clusterProblems.length === 0
    ? whereNotFound(summary)
    : undefined;
}
