import * as k8s from '@kubernetes/client-node';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Namespace, Service, ServiceAccount } from 'kubernetes-models/v1';
import { Ingress, NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import fs from 'node:fs/promises';
import path from 'node:path';
import yaml from 'yaml';
import { mustSucceed } from './exec';
import { Check } from './types';

type Manifest = {
  apiVersion: string;
  kind: string;
  metadata?: { name?: string; labels?: Record<string, string> };
  [key: string]: any;
};

/** Typed validators (types, formats, required fields) per kind. */
const MODELS: Record<string, new (data: any) => { validate(): void }> = {
  'apps/v1/Deployment': Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'v1/Namespace': Namespace,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
  'networking.k8s.io/v1/Ingress': Ingress,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor,
};

/** The kinds every overlay must render. */
export const REQUIRED_KINDS = [
  'Deployment',
  'Service',
  'HorizontalPodAutoscaler',
  'PodDisruptionBudget',
  'NetworkPolicy',
  'ServiceAccount',
  'Ingress',
  'ServiceMonitor',
];

const PRIMITIVES = new Set([
  'string',
  'number',
  'boolean',
  'Date',
  'object',
  'any',
  'IntOrString',
  'RuntimeRawExtension',
]);

function clientNodeType(manifest: Manifest): string | undefined {
  const version = manifest.apiVersion.split('/').pop() ?? '';
  const name = `${version.charAt(0).toUpperCase()}${version.slice(1)}${
    manifest.kind
  }`;
  return (k8s as any)[name] ? name : undefined;
}

/**
 * Fields the Kubernetes API would reject as unknown (strict field validation),
 * found by walking the attribute maps of @kubernetes/client-node's models.
 */
export function unknownFields(
  value: unknown,
  type: string,
  at: string,
): string[] {
  if (value === null || value === undefined || PRIMITIVES.has(type)) {
    return [];
  }
  const array = /^Array<(.+)>$/.exec(type);
  if (array) {
    return Array.isArray(value)
      ? value.flatMap((item, i) => unknownFields(item, array[1], `${at}[${i}]`))
      : [];
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) {
    return Object.entries(value as object).flatMap(([k, v]) =>
      unknownFields(v, map[1], `${at}.${k}`),
    );
  }
  const model = (k8s as any)[type];
  if (!model?.getAttributeTypeMap || typeof value !== 'object') {
    return [];
  }
  const attributes: Array<{ baseName: string; type: string }> =
    model.getAttributeTypeMap();
  const byName = new Map(attributes.map(a => [a.baseName, a.type]));
  return Object.entries(value as object).flatMap(([key, child]) => {
    const childType = byName.get(key);
    return childType === undefined
      ? [`${at}.${key}`]
      : unknownFields(child, childType, `${at}.${key}`);
  });
}

/** Problems in one rendered object: schema errors and unknown fields. */
export function manifestProblems(manifest: Manifest): string[] {
  const id = `${manifest.kind}/${manifest.metadata?.name ?? '?'}`;
  const problems: string[] = [];
  const Model = MODELS[`${manifest.apiVersion}/${manifest.kind}`];
  if (!Model) {
    return [
      `${id}: ${manifest.apiVersion} ${manifest.kind} is not a kind this repository is expected to render`,
    ];
  }
  try {
    new Model(manifest).validate();
  } catch (error) {
    problems.push(`${id}: ${(error as Error).message}`);
  }
  const type = clientNodeType(manifest);
  if (type) {
    problems.push(
      ...unknownFields(manifest, type, id).map(
        field => `${field}: unknown field`,
      ),
    );
  }
  return problems;
}

function podTemplateLabels(manifest: Manifest): Record<string, string> {
  return manifest.spec?.template?.metadata?.labels ?? {};
}

export async function kubernetesChecks(
  repoDir: string,
  serviceName: string,
): Promise<Check[]> {
  const overlaysDir = path.join(repoDir, 'k8s', 'overlays');
  const environments = (await fs.readdir(overlaysDir, { withFileTypes: true }))
    .filter(e => e.isDirectory())
    .map(e => e.name)
    .sort();
  return environments.map(environment => ({
    name: `kustomize build + schema (${environment})`,
    run: async () => {
      const rendered = await mustSucceed('kubectl', [
        'kustomize',
        path.join(overlaysDir, environment),
      ]);
      const manifests = yaml
        .parseAllDocuments(rendered)
        .map(doc => doc.toJS() as Manifest)
        .filter(Boolean);
      const problems = manifests.flatMap(manifestProblems);
      const kinds = new Set(manifests.map(m => m.kind));
      problems.push(
        ...REQUIRED_KINDS.filter(kind => !kinds.has(kind)).map(
          kind => `no ${kind} rendered`,
        ),
      );
      const deployment = manifests.find(m => m.kind === 'Deployment');
      if (
        deployment &&
        podTemplateLabels(deployment)['backstage.io/kubernetes-id'] !==
          serviceName
      ) {
        problems.push(
          `Deployment pod labels lack backstage.io/kubernetes-id: ${serviceName}`,
        );
      }
      if (problems.length > 0) {
        throw new Error(problems.join('\n'));
      }
    },
  }));
}
