import { ResourceType } from '../resourceTypes';

/** The `kubectl get all` category, as the API server declares it. */
const IN_CATEGORY_ALL = new Set([
  'Pod',
  'Service',
  'Deployment',
  'ReplicaSet',
  'StatefulSet',
  'DaemonSet',
  'Job',
  'CronJob',
  'HorizontalPodAutoscaler',
]);

/** The short names kubectl accepts (`kubectl get po`), as the API server declares them. */
const SHORT_NAMES: Record<string, string[]> = {
  Pod: ['po'],
  Service: ['svc'],
  ConfigMap: ['cm'],
  LimitRange: ['limits'],
  ResourceQuota: ['quota'],
  PersistentVolumeClaim: ['pvc'],
  PersistentVolume: ['pv'],
  ServiceAccount: ['sa'],
  Event: ['ev'],
  Namespace: ['ns'],
  Deployment: ['deploy'],
  ReplicaSet: ['rs'],
  StatefulSet: ['sts'],
  DaemonSet: ['ds'],
  HorizontalPodAutoscaler: ['hpa'],
  CronJob: ['cj'],
  Ingress: ['ing'],
  NetworkPolicy: ['netpol'],
  PodDisruptionBudget: ['pdb'],
};

/** Answer of `/version`; the build metadata says it is a simulation. */
export const VERSION_INFO = {
  major: '1',
  minor: '33',
  gitVersion: 'v1.33.0+kubernetes-test-double',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2025-01-01T00:00:00Z',
  goVersion: 'simulation',
  compiler: 'simulation',
  platform: 'linux/amd64',
};

/** Answer of `/api`. */
export function coreApiVersions() {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [],
  };
}

/** Answer of `/apis`: every non-core group that has a served type. */
export function apiGroupList(types: readonly ResourceType[]) {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: groupNames(types).map(group => apiGroupOf(types, group)),
  };
}

/** Answer of `/apis/<group>`, undefined when the group is not served. */
export function apiGroup(types: readonly ResourceType[], group: string) {
  if (!groupNames(types).includes(group)) {
    return undefined;
  }
  return { kind: 'APIGroup', apiVersion: 'v1', ...apiGroupOf(types, group) };
}

/** Answer of `/api/v1` or `/apis/<group>/<version>`, undefined when not served. */
export function apiResourceList(
  types: readonly ResourceType[],
  group: string,
  version: string,
) {
  const served = types.filter(t => t.group === group && t.version === version);
  if (served.length === 0) {
    return undefined;
  }
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group ? `${group}/${version}` : version,
    resources: served.flatMap(type => [
      {
        name: type.plural,
        singularName: type.kind.toLowerCase(),
        namespaced: type.namespaced,
        kind: type.kind,
        verbs: ['get', 'list'],
        ...(type.builtIn &&
          SHORT_NAMES[type.kind] && { shortNames: SHORT_NAMES[type.kind] }),
        ...(type.builtIn &&
          IN_CATEGORY_ALL.has(type.kind) && { categories: ['all'] }),
      },
      ...(type.kind === 'Pod'
        ? [
            {
              name: 'pods/log',
              singularName: '',
              namespaced: true,
              kind: 'Pod',
              verbs: ['get'],
            },
          ]
        : []),
    ]),
  };
}

function groupNames(types: readonly ResourceType[]): string[] {
  return [...new Set(types.map(t => t.group).filter(group => group !== ''))];
}

function apiGroupOf(types: readonly ResourceType[], group: string) {
  const versions = [
    ...new Set(types.filter(t => t.group === group).map(t => t.version)),
  ].map(version => ({ groupVersion: `${group}/${version}`, version }));
  return { name: group, versions, preferredVersion: versions[0] };
}
