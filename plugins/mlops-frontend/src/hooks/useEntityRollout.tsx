import { createContext, ReactNode, useContext, useMemo } from 'react';
import { Entity } from '@backstage/catalog-model';
import { ApiHolder, useApiHolder } from '@backstage/core-plugin-api';
import {
  kubernetesApiRef,
  kubernetesAuthProvidersApiRef,
  useKubernetesObjects,
} from '@backstage/plugin-kubernetes-react';
import { hasKubernetesAnnotation } from '../kubernetes/annotations';
import { RolloutSummary, summarizeRollout } from '../kubernetes/rollout';

const REFRESH_INTERVAL_MS = 30_000;

/** The rollout of an entity's Deployments, as the Kubernetes plugin reports it. */
export type EntityRollout =
  /** The app lacks the Kubernetes plugin or the entity its annotation. */
  | { status: 'unavailable' }
  | { status: 'loading' }
  | { status: 'error'; error: string }
  | { status: 'loaded'; summary: RolloutSummary };

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
  const rollout = useMemo((): EntityRollout => {
    if (error) {
      return { status: 'error', error };
    }
    // A refresh keeps showing the last answer.
    if (kubernetesObjects) {
      return { status: 'loaded', summary: summarizeRollout(kubernetesObjects) };
    }
    return loading
      ? { status: 'loading' }
      : { status: 'error', error: 'The Kubernetes backend did not answer.' };
  }, [kubernetesObjects, loading, error]);
  return (
    <EntityRolloutContext.Provider value={rollout}>
      {props.children}
    </EntityRolloutContext.Provider>
  );
}

/** The rollout read by the enclosing `EntityRolloutProvider`. */
export function useEntityRollout(): EntityRollout {
  return useContext(EntityRolloutContext);
}

/**
 * The Kubernetes plugin answered from every cluster and none has a
 * Deployment of the entity: the service has not been deployed yet.
 */
export function useNotDeployedYet(): boolean {
  const rollout = useEntityRollout();
  return (
    rollout.status === 'loaded' &&
    rollout.summary.deployments.length === 0 &&
    rollout.summary.clusterProblems.length === 0
  );
}
