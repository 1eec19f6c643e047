import { useMemo } from 'react';
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
import { readRollout } from '../kubernetes/readRollout';
import {
  DEPLOYMENT_NOT_SEEN,
  environmentDeployment,
  EnvironmentDeployment,
} from '../kubernetes/environmentDeployment';

export interface ReplicaCount {
  ready: number;
  desired: number;
}

/** What the Kubernetes plugin tells of one service. */
interface ServiceDeployments {
  replicas?: ReplicaCount;
  /** What its page shows of the environment's Deployment. */
  deploymentOf(environment: string): EnvironmentDeployment;
}

export interface FleetReplicas {
  /** False when the app lacks the Kubernetes plugin (or the catalog). */
  available: boolean;
  loading: boolean;
  byEntityRef: Map<string, ReplicaCount>;
  /**
   * What the service's page shows of the environment's Deployment
   * (`environmentDeployment`; nothing while it is not known).
   */
  deploymentOf(entityRef: string, environment: string): EnvironmentDeployment;
}

/**
 * Ready/desired replicas of each listed service, summed over its Deployments
 * in every cluster, and which of its environments are not deployed yet. Done
 * once for the whole page rather than per row, so the cluster list and the
 * auth decoration are fetched once.
 */
export function useFleetReplicas(entityRefs: string[]): FleetReplicas {
  const apis = useApiHolder();
  const kubernetesApi = apis.get(kubernetesApiRef);
  const authProvidersApi = apis.get(kubernetesAuthProvidersApiRef);
  const catalogApi = apis.get(catalogApiRef);
  const refsKey = entityRefs.join('\n');

  const { value, loading } = useAsync(async () => {
    if (!kubernetesApi || !authProvidersApi || !catalogApi || !refsKey) {
      return new Map<string, ServiceDeployments>();
    }
    const { items } = await catalogApi.getEntitiesByRefs({
      entityRefs: refsKey.split('\n'),
    });
    const entities = items.filter(
      (entity): entity is Entity =>
        entity !== undefined && hasKubernetesAnnotation(entity),
    );
    const clusters = await kubernetesApi.getClusters();
    const deployments = await Promise.all(
      entities.map(entity =>
        serviceDeployments(entity, kubernetesApi, authProvidersApi, clusters),
      ),
    );
    return new Map(
      entities.map(
        (entity, index) =>
          [stringifyEntityRef(entity), deployments[index]] as const,
      ),
    );
  }, [refsKey, kubernetesApi, authProvidersApi, catalogApi]);

  const available = Boolean(kubernetesApi && authProvidersApi && catalogApi);
  return useMemo(() => {
    const byEntity = value ?? new Map<string, ServiceDeployments>();
    return {
      available,
      loading,
      byEntityRef: new Map(
        [...byEntity].flatMap(([ref, deployments]) =>
          deployments.replicas ? [[ref, deployments.replicas] as const] : [],
        ),
      ),
      deploymentOf: (entityRef: string, environment: string) =>
        byEntity.get(entityRef)?.deploymentOf(environment) ??
        DEPLOYMENT_NOT_SEEN,
    };
  }, [value, loading, available]);
}

type Cluster = Awaited<ReturnType<KubernetesApi['getClusters']>>[number];

function clusterAuthProviders(clusters: Cluster[]): string[] {
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

/**
 * A service whose workloads cannot be read shows no count and no "not
 * deployed yet", not an error. Read as on its page (`readRollout`).
 */
async function serviceDeployments(
  entity: Entity,
  kubernetesApi: KubernetesApi,
  authProvidersApi: KubernetesAuthProvidersApi,
  clusters: Cluster[],
): Promise<ServiceDeployments> {
  try {
    const auth = await kubernetesAuth(
      entity,
      authProvidersApi,
      clusterAuthProviders(clusters),
    );
    const objects = await kubernetesApi.getObjectsByEntity({ entity, auth });
    const reading = readRollout(
      entity,
      objects,
      clusters.map(cluster => cluster.name),
    );
    const { deployments } = reading.summary;
    return {
      replicas:
        deployments.length > 0
          ? {
              ready: sum(deployments.map(d => d.readyReplicas)),
              desired: sum(deployments.map(d => d.desiredReplicas)),
            }
          : undefined,
      deploymentOf: environment => environmentDeployment(reading, environment),
    };
  } catch {
    return { deploymentOf: () => DEPLOYMENT_NOT_SEEN };
  }
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
