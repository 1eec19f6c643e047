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
import { clustersNamedBy } from '../kubernetes/entityClusters';
import {
  DEPLOYMENT_NOT_SEEN,
  environmentDeployment,
  EnvironmentDeployment,
} from '../kubernetes/environmentDeployment';
import { EntityRolloutReading, readRollout } from '../kubernetes/readRollout';

const REFRESH_INTERVAL_MS = 30_000;

/** The rollout of an entity's Deployments, as the Kubernetes plugin reports it. */
export type EntityRollout =
  /** The app lacks the Kubernetes plugin or the entity its annotation. */
  | { status: 'unavailable' }
  | { status: 'loading' }
  | { status: 'error'; error: string }
  | ({ status: 'loaded' } & EntityRolloutReading);

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
      return {
        status: 'loaded',
        ...readRollout(props.entity, kubernetesObjects, knownClusters),
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
 * What the Kubernetes plugin shows of the environment's Deployment (see
 * `environmentDeployment`); nothing while it is not known.
 */
export function useEnvironmentDeployment(
  environment: string,
): EnvironmentDeployment {
  const rollout = useEntityRollout();
  return rollout.status === 'loaded'
    ? environmentDeployment(rollout, environment)
    : DEPLOYMENT_NOT_SEEN;
}
