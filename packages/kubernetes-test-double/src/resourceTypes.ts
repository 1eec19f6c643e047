import { KubernetesObject } from './types';

/** A resource type the test double serves, addressed as `/api/v1/<plural>` or `/apis/<group>/<version>/<plural>`. */
export interface ResourceType {
  /** API group, `''` for the core group. */
  group: string;
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
  /**
   * Built-in types are listed the way the API server encodes typed lists: items carry no `kind`
   * and `apiVersion`. Custom resources keep them.
   */
  builtIn: boolean;
}

type BuiltIn = [
  group: string,
  version: string,
  plural: string,
  kind: string,
  namespaced: boolean,
];

/**
 * Every type the kubernetes-backend fetches by default or with `objectTypes: [...]`, plus the ones
 * our manifests create, the events and the pod metrics.
 */
const BUILT_IN_TYPES: readonly BuiltIn[] = [
  ['', 'v1', 'pods', 'Pod', true],
  ['', 'v1', 'services', 'Service', true],
  ['', 'v1', 'configmaps', 'ConfigMap', true],
  ['', 'v1', 'secrets', 'Secret', true],
  ['', 'v1', 'limitranges', 'LimitRange', true],
  ['', 'v1', 'resourcequotas', 'ResourceQuota', true],
  ['', 'v1', 'persistentvolumeclaims', 'PersistentVolumeClaim', true],
  ['', 'v1', 'persistentvolumes', 'PersistentVolume', false],
  ['', 'v1', 'serviceaccounts', 'ServiceAccount', true],
  ['', 'v1', 'events', 'Event', true],
  ['', 'v1', 'namespaces', 'Namespace', false],
  ['apps', 'v1', 'deployments', 'Deployment', true],
  ['apps', 'v1', 'replicasets', 'ReplicaSet', true],
  ['apps', 'v1', 'statefulsets', 'StatefulSet', true],
  ['apps', 'v1', 'daemonsets', 'DaemonSet', true],
  [
    'autoscaling',
    'v2',
    'horizontalpodautoscalers',
    'HorizontalPodAutoscaler',
    true,
  ],
  ['batch', 'v1', 'jobs', 'Job', true],
  ['batch', 'v1', 'cronjobs', 'CronJob', true],
  ['networking.k8s.io', 'v1', 'ingresses', 'Ingress', true],
  ['networking.k8s.io', 'v1', 'networkpolicies', 'NetworkPolicy', true],
  ['policy', 'v1', 'poddisruptionbudgets', 'PodDisruptionBudget', true],
  ['metrics.k8s.io', 'v1beta1', 'pods', 'PodMetrics', true],
];

/** Splits `apps/v1` into group `apps` and version `v1`; `v1` is the core group. */
export function splitApiVersion(apiVersion: string): {
  group: string;
  version: string;
} {
  const slash = apiVersion.indexOf('/');
  return slash === -1
    ? { group: '', version: apiVersion }
    : {
        group: apiVersion.slice(0, slash),
        version: apiVersion.slice(slash + 1),
      };
}

export function apiVersionOf(type: ResourceType): string {
  return type.group ? `${type.group}/${type.version}` : type.version;
}

/**
 * The built-in types plus one for every other (apiVersion, kind) among the objects, such as a
 * ServiceMonitor. Kinds we do not know are assumed namespaced and pluralised the way CRDs
 * conventionally are.
 */
export function resourceTypesFor(
  objects: readonly KubernetesObject[],
): ResourceType[] {
  const types: ResourceType[] = BUILT_IN_TYPES.map(
    ([group, version, plural, kind, namespaced]) => ({
      group,
      version,
      plural,
      kind,
      namespaced,
      builtIn: true,
    }),
  );
  for (const object of objects) {
    const { group, version } = splitApiVersion(object.apiVersion);
    if (findTypeOfKind(types, group, version, object.kind)) {
      continue;
    }
    const sameKind = types.find(t => t.kind === object.kind && t.builtIn);
    types.push({
      group,
      version,
      kind: object.kind,
      plural: sameKind?.plural ?? pluralise(object.kind),
      namespaced: sameKind?.namespaced ?? true,
      builtIn: sameKind !== undefined,
    });
  }
  return types;
}

export function findTypeOfKind(
  types: readonly ResourceType[],
  group: string,
  version: string,
  kind: string,
): ResourceType | undefined {
  return types.find(
    t => t.group === group && t.version === version && t.kind === kind,
  );
}

export function findTypeByPlural(
  types: readonly ResourceType[],
  group: string,
  version: string,
  plural: string,
): ResourceType | undefined {
  return types.find(
    t => t.group === group && t.version === version && t.plural === plural,
  );
}

function pluralise(kind: string): string {
  const lower = kind.toLowerCase();
  if (/(s|x|z|ch|sh)$/.test(lower)) return `${lower}es`;
  if (/[^aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
  return `${lower}s`;
}
