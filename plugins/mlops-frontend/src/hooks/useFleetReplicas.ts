import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { useApiHolder } from '@backstage/core-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import {
  KubernetesRequestAuth,
  KubernetesRequestBody,
} from '@backstage/plugin-kubernetes-common';
import {
  KubernetesApi,
  kubernetesApiRef,
  KubernetesAuthProvidersApi,
  kubernetesAuthProvidersApiRef,
} from '@backstage/plugin-kubernetes-react';
import useAsync from 'react-use/esm/useAsync';
import { hasKubernetesAnnotation } from '../kubernetes/annotations';
import { summarizeRollout } from '../kubernetes/rollout';

export interface ReplicaCount {
  ready: number;
  desired: number;
}

export interface FleetReplicas {
  /** False when the app lacks the Kubernetes plugin (or the catalog). */
  available: boolean;
  loading: boolean;
  byEntityRef: Map<string, ReplicaCount>;
}

/**
 * Ready/desired replicas of each listed service, summed over its Deployments
 * in every cluster. Done once for the whole page rather than per row, so the
 * cluster list and the auth decoration are fetched once.
 */
export function useFleetReplicas(entityRefs: string[]): FleetReplicas {
  const apis = useApiHolder();
  const kubernetesApi = apis.get(kubernetesApiRef);
  const authProvidersApi = apis.get(kubernetesAuthProvidersApiRef);
  const catalogApi = apis.get(catalogApiRef);
  const refsKey = entityRefs.join('\n');

  const { value, loading } = useAsync(async () => {
    if (!kubernetesApi || !authProvidersApi || !catalogApi || !refsKey) {
      return new Map<string, ReplicaCount>();
    }
    const { items } = await catalogApi.getEntitiesByRefs({
      entityRefs: refsKey.split('\n'),
    });
    const entities = items.filter(
      (entity): entity is Entity =>
        entity !== undefined && hasKubernetesAnnotation(entity),
    );
    const authProviders = await clusterAuthProviders(kubernetesApi);
    const counts = await Promise.all(
      entities.map(entity =>
        replicaCount(entity, kubernetesApi, authProvidersApi, authProviders),
      ),
    );
    return new Map(
      entities.flatMap((entity, index) => {
        const count = counts[index];
        return count ? [[stringifyEntityRef(entity), count] as const] : [];
      }),
    );
  }, [refsKey, kubernetesApi, authProvidersApi, catalogApi]);

  return {
    available: Boolean(kubernetesApi && authProvidersApi && catalogApi),
    loading,
    byEntityRef: value ?? new Map(),
  };
}

async function clusterAuthProviders(
  kubernetesApi: KubernetesApi,
): Promise<string[]> {
  const clusters = await kubernetesApi.getClusters();
  const providers = clusters.map(cluster =>
    cluster.oidcTokenProvider
      ? `${cluster.authProvider}.${cluster.oidcTokenProvider}`
      : cluster.authProvider,
  );
  return [...new Set(providers)];
}

/** The request decoration the Kubernetes plugin's own hooks apply. */
async function kubernetesAuth(
  entity: Entity,
  authProvidersApi: KubernetesAuthProvidersApi,
  authProviders: string[],
): Promise<KubernetesRequestAuth> {
  let body: KubernetesRequestBody = { entity };
  for (const provider of authProviders) {
    body = await authProvidersApi.decorateRequestBodyForAuth(provider, body);
  }
  return body.auth ?? {};
}

/** A service whose workloads cannot be read shows no count, not an error. */
async function replicaCount(
  entity: Entity,
  kubernetesApi: KubernetesApi,
  authProvidersApi: KubernetesAuthProvidersApi,
  authProviders: string[],
): Promise<ReplicaCount | undefined> {
  try {
    const auth = await kubernetesAuth(entity, authProvidersApi, authProviders);
    const objects = await kubernetesApi.getObjectsByEntity({ entity, auth });
    const { deployments } = summarizeRollout(objects);
    if (deployments.length === 0) {
      return undefined;
    }
    return {
      ready: deployments.reduce((sum, d) => sum + d.readyReplicas, 0),
      desired: deployments.reduce((sum, d) => sum + d.desiredReplicas, 0),
    };
  } catch {
    return undefined;
  }
}
