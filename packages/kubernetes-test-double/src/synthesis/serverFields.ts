import {
  ResourceType,
  findTypeOfKind,
  splitApiVersion,
} from '../resourceTypes';
import { KubernetesObject } from '../types';
import { stableHash, stableNumber, stableUid } from './stableHash';
import { DEPLOYED_SECONDS_AGO, timestampAgo } from './time';

/**
 * A manifest object as the API server stores it: namespace defaulted (or removed for cluster-scoped
 * kinds), `uid`, `resourceVersion`, `generation` and `creationTimestamp` set, and the status that
 * controllers outside the simulation's scenarios would write (Namespace phase, Service cluster IP,
 * Ingress load balancer).
 */
export function withServerFields(
  manifest: KubernetesObject,
  types: readonly ResourceType[],
  now: Date,
  resourceVersion: string,
): KubernetesObject {
  const object = structuredClone(manifest);
  const { group, version } = splitApiVersion(object.apiVersion);
  const namespaced =
    findTypeOfKind(types, group, version, object.kind)?.namespaced ?? true;
  const { name } = object.metadata;
  if (namespaced) {
    object.metadata.namespace = object.metadata.namespace || 'default';
  } else {
    delete object.metadata.namespace;
  }
  const namespace = object.metadata.namespace ?? '';
  object.metadata = {
    ...object.metadata,
    uid: stableUid(object.kind, namespace, name),
    resourceVersion,
    ...(object.spec !== undefined && { generation: 1 }),
    creationTimestamp: timestampAgo(now, DEPLOYED_SECONDS_AGO),
  };
  switch (object.kind) {
    case 'Namespace':
      object.status = { phase: 'Active' };
      break;
    case 'Service':
      object.spec = withClusterIp(object, namespace);
      object.status = { loadBalancer: {} };
      break;
    case 'Ingress':
      object.status = {
        loadBalancer: {
          ingress: [
            {
              hostname: `k8s-${namespace}-${name}-${stableHash(
                'ingress',
                namespace,
                name,
              ).slice(0, 10)}.simulated.invalid`,
            },
          ],
        },
      };
      break;
    default:
      break;
  }
  return object;
}

function withClusterIp(service: KubernetesObject, namespace: string) {
  const spec = { ...(service.spec as Record<string, unknown>) };
  const type = spec.type ?? 'ClusterIP';
  if (type !== 'ExternalName' && spec.clusterIP === undefined) {
    const ip = `172.20.${stableNumber(
      256,
      'service',
      namespace,
      service.metadata.name,
    )}.${
      1 + stableNumber(254, 'service-host', namespace, service.metadata.name)
    }`;
    spec.clusterIP = ip;
    spec.clusterIPs = [ip];
  }
  return spec;
}
