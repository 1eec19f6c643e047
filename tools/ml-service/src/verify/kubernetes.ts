import * as k8s from '@kubernetes/client-node';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import {
  ConfigMap,
  Namespace,
  Service,
  ServiceAccount,
} from 'kubernetes-models/v1';
import {
  Ingress,
  IngressClass,
  NetworkPolicy,
} from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import {
  Role,
  RoleBinding,
} from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { Validator } from 'jsonschema';
import fs from 'node:fs/promises';
import path from 'node:path';
import yaml from 'yaml';
import { mustSucceed } from './exec';
import { INGRESS_CLASS_PARAMS_SCHEMA } from './ingressClassParamsSchema';
import { Check } from './types';

type Manifest = {
  apiVersion: string;
  kind: string;
  metadata?: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [key: string]: any;
};

/** EKS Auto Mode's IngressClassParams, checked against the vendored schema. */
class IngressClassParams {
  constructor(private readonly data: unknown) {}

  validate(): void {
    const result = new Validator().validate(
      this.data,
      INGRESS_CLASS_PARAMS_SCHEMA as any,
    );
    if (result.errors.length > 0) {
      throw new Error(
        result.errors
          .map(e => `${e.property.replace(/^instance\.?/, '')} ${e.message}`)
          .join('; '),
      );
    }
  }
}

/** Typed validators (types, formats, required fields) per kind. */
const MODELS: Record<string, new (data: any) => { validate(): void }> = {
  'apps/v1/Deployment': Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'v1/ConfigMap': ConfigMap,
  'v1/Namespace': Namespace,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
  'networking.k8s.io/v1/Ingress': Ingress,
  'networking.k8s.io/v1/IngressClass': IngressClass,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'rbac.authorization.k8s.io/v1/Role': Role,
  'rbac.authorization.k8s.io/v1/RoleBinding': RoleBinding,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor,
  'eks.amazonaws.com/v1/IngressClassParams': IngressClassParams,
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
  // backstage-access.yaml: in the overlay on new clusters, applied by an admin on shared ones.
  'Role',
  'RoleBinding',
];

/** How the environment's cluster runs pods: a compute mode of a new cluster, or a shared one. */
export type ComputeMode = 'auto' | 'nodegroup' | 'fargate' | 'existing';

const IRSA_ANNOTATION = 'eks.amazonaws.com/role-arn';
const TARGET_TYPE = 'alb.ingress.kubernetes.io/target-type';
const SCHEME = 'alb.ingress.kubernetes.io/scheme';
const AUTO_MODE_CONTROLLER = 'eks.amazonaws.com/alb';
const READINESS_GATE_LABEL = 'elbv2.k8s.aws/pod-readiness-gate-inject';

/** The compute mode terraform/envs/<env>/terraform.tfvars gives (`create_cluster`, `compute_mode`). */
export function computeModeOf(tfvars: string): ComputeMode {
  if (!/^\s*create_cluster\s*=\s*true\b/m.test(tfvars)) {
    return 'existing';
  }
  const mode = /^\s*compute_mode\s*=\s*"([^"]*)"/m.exec(tfvars)?.[1];
  if (mode === undefined) {
    return 'auto';
  }
  if (mode === 'auto' || mode === 'nodegroup' || mode === 'fargate') {
    return mode;
  }
  throw new Error(
    `terraform.tfvars: compute_mode = "${mode}" is none of auto, nodegroup, fargate`,
  );
}

/**
 * What each compute mode needs of the manifests an environment applies: `manifests` is the
 * rendered overlay (plus backstage-access.yaml), `clusterManifests` what the deploy workflow
 * applies to the cluster first (k8s/auto-mode).
 */
export function computeModeProblems(
  mode: ComputeMode,
  serviceName: string,
  manifests: Manifest[],
  clusterManifests: Manifest[],
): string[] {
  const problems: string[] = [];
  const ingress = manifests.find(m => m.kind === 'Ingress');
  const serviceAccount = manifests.find(
    m => m.kind === 'ServiceAccount' && m.metadata?.name === serviceName,
  );
  const annotations = ingress?.metadata?.annotations ?? {};
  const className: string | undefined = ingress?.spec?.ingressClassName;
  if (ingress && !className) {
    problems.push(
      `Ingress/${ingress.metadata?.name}: no spec.ingressClassName`,
    );
  }
  if (mode === 'fargate' && ingress && annotations[TARGET_TYPE] !== 'ip') {
    problems.push(
      `Ingress/${
        ingress.metadata?.name
      }: ${TARGET_TYPE} must be "ip" on Fargate (no nodes to route instance targets through), got ${JSON.stringify(
        annotations[TARGET_TYPE],
      )}`,
    );
  }
  if (annotations[TARGET_TYPE] === 'ip' && mode !== 'existing') {
    const namespace = manifests.find(m => m.kind === 'Namespace');
    if (
      namespace &&
      namespace.metadata?.labels?.[READINESS_GATE_LABEL] !== 'enabled'
    ) {
      problems.push(
        `Namespace/${namespace.metadata?.name}: IP targets need the label ${READINESS_GATE_LABEL}: enabled, or rollouts drop requests`,
      );
    }
  }
  const role = serviceAccount?.metadata?.annotations?.[IRSA_ANNOTATION];
  if (!serviceAccount) {
    problems.push(`no ServiceAccount ${serviceName}`);
  } else if (mode === 'fargate' && !role) {
    problems.push(
      `ServiceAccount/${serviceName}: Fargate has no EKS Pod Identity, so it needs the IRSA annotation ${IRSA_ANNOTATION} (the service role)`,
    );
  } else if (mode !== 'fargate' && role) {
    problems.push(
      `ServiceAccount/${serviceName}: ${IRSA_ANNOTATION} outside Fargate would take precedence over the EKS Pod Identity association (compute mode ${mode})`,
    );
  }
  const classes = clusterManifests.filter(m => m.kind === 'IngressClass');
  if (mode === 'auto') {
    const ingressClass = classes.find(c => c.metadata?.name === className);
    if (!ingressClass) {
      problems.push(
        `EKS Auto Mode: k8s/auto-mode defines no IngressClass "${className}" (the Ingress's class)`,
      );
    } else {
      if (ingressClass.spec?.controller !== AUTO_MODE_CONTROLLER) {
        problems.push(
          `IngressClass/${className}: controller must be ${AUTO_MODE_CONTROLLER} in EKS Auto Mode, got ${JSON.stringify(
            ingressClass.spec?.controller,
          )}`,
        );
      }
      const parameters = ingressClass.spec?.parameters ?? {};
      const params = clusterManifests.find(
        m =>
          m.kind === 'IngressClassParams' &&
          m.apiVersion === 'eks.amazonaws.com/v1' &&
          m.metadata?.name === parameters.name,
      );
      if (
        parameters.apiGroup !== 'eks.amazonaws.com' ||
        parameters.kind !== 'IngressClassParams' ||
        !params
      ) {
        problems.push(
          `IngressClass/${className}: spec.parameters must name an eks.amazonaws.com IngressClassParams in k8s/auto-mode`,
        );
      } else if (
        annotations[SCHEME] &&
        params.spec?.scheme !== annotations[SCHEME]
      ) {
        problems.push(
          `IngressClassParams/${params.metadata?.name}: scheme ${JSON.stringify(
            params.spec?.scheme,
          )} differs from the Ingress's ${SCHEME} "${annotations[SCHEME]}"`,
        );
      }
    }
  } else if (clusterManifests.length > 0) {
    problems.push(
      `k8s/auto-mode is for EKS Auto Mode only; in compute mode ${mode} its IngressClass would take over the class the load balancer controller owns`,
    );
  }
  return problems;
}

function parseManifests(text: string): Manifest[] {
  return yaml
    .parseAllDocuments(text)
    .map(doc => doc.toJS() as Manifest)
    .filter(Boolean);
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return undefined;
    }
    throw error;
  }
}

/** The manifests the deploy workflow applies to the cluster before the overlay (EKS Auto Mode). */
async function clusterManifestsOf(repoDir: string): Promise<Manifest[]> {
  const dir = path.join(repoDir, 'k8s', 'auto-mode');
  const files = await fs.readdir(dir).catch(() => [] as string[]);
  const texts = await Promise.all(
    files
      .filter(f => /\.ya?ml$/.test(f))
      .sort()
      .map(f => fs.readFile(path.join(dir, f), 'utf8')),
  );
  return texts.flatMap(parseManifests);
}

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
  const clusterManifests = await clusterManifestsOf(repoDir);
  const modes = await Promise.all(
    environments.map(async environment =>
      computeModeOf(
        (await readIfExists(
          path.join(
            repoDir,
            'terraform',
            'envs',
            environment,
            'terraform.tfvars',
          ),
        )) ?? '',
      ),
    ),
  );
  return environments.map((environment, index) => ({
    name: `kustomize build + schema (${environment}, compute mode ${modes[index]})`,
    run: async () => {
      const overlayDir = path.join(overlaysDir, environment);
      const manifests = parseManifests(
        await mustSucceed('kubectl', ['kustomize', overlayDir]),
      );
      // On a shared cluster backstage-access.yaml is an admin's step, outside the overlay.
      if (!manifests.some(m => m.kind === 'Role')) {
        const access = await readIfExists(
          path.join(overlayDir, 'backstage-access.yaml'),
        );
        manifests.push(...(access === undefined ? [] : parseManifests(access)));
      }
      const problems = [...manifests, ...clusterManifests].flatMap(
        manifestProblems,
      );
      const kinds = new Set(manifests.map(m => m.kind));
      problems.push(
        ...REQUIRED_KINDS.filter(kind => !kinds.has(kind)).map(
          kind => `no ${kind} rendered`,
        ),
      );
      problems.push(
        ...computeModeProblems(
          modes[index],
          serviceName,
          manifests,
          clusterManifests,
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
