import {
  apiEntityV1alpha1Validator,
  componentEntityV1alpha1Validator,
  DefaultNamespaceEntityPolicy,
  Entity,
  EntityPolicies,
  FieldFormatEntityPolicy,
  NoForeignRootFieldsEntityPolicy,
  SchemaValidEntityPolicy,
} from '@backstage/catalog-model';
import fs from 'node:fs/promises';
import path from 'node:path';
import yaml from 'yaml';
import { parseKubernetesServiceTarget } from '@eks-mlops/backstage-plugin-mlops-common';
import { Check } from './types';

const REQUIRED_ANNOTATIONS = [
  'mlops/model-name',
  'mlops/inference-environment',
  'mlops/inference-protocol',
  'mlops/ecr-repository',
  'mlops/tfstate',
  'mlops/aws-region',
  'mlops/aws-account-id',
  'mlops/eks-cluster',
  'backstage.io/kubernetes-id',
  'backstage.io/kubernetes-namespace',
  'github.com/project-slug',
  'backstage.io/techdocs-ref',
];

const KUBERNETES_TARGET = /^mlops\/kubernetes-service(-.+)?$/;

/**
 * Backstage reaches the primary endpoint by URL or, with no host, through the
 * Kubernetes API's service proxy; each target must parse as the backend parses it.
 */
function endpointProblems(
  id: string,
  annotations: Record<string, string>,
): string[] {
  const problems: string[] = [];
  if (
    !annotations['mlops/inference-url'] &&
    !annotations['mlops/kubernetes-service']
  ) {
    problems.push(
      `${id}: missing annotation mlops/inference-url or mlops/kubernetes-service`,
    );
  }
  for (const [key, value] of Object.entries(annotations)) {
    if (!KUBERNETES_TARGET.test(key)) continue;
    try {
      if (!parseKubernetesServiceTarget(value).cluster) {
        problems.push(`${id}: ${key} names no cluster`);
      }
    } catch (error) {
      problems.push(`${id}: ${key}: ${(error as Error).message}`);
    }
  }
  return problems;
}

const policy = EntityPolicies.allOf([
  new DefaultNamespaceEntityPolicy(),
  new NoForeignRootFieldsEntityPolicy(),
  new FieldFormatEntityPolicy(),
  new SchemaValidEntityPolicy(),
]);

/** Replaces `$text: ./file` placeholders the way the catalog does on ingestion. */
async function resolveText(value: unknown, baseDir: string): Promise<unknown> {
  if (Array.isArray(value)) {
    return Promise.all(value.map(v => resolveText(v, baseDir)));
  }
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (typeof record.$text === 'string') {
      return fs.readFile(path.join(baseDir, record.$text), 'utf8');
    }
    const entries = await Promise.all(
      Object.entries(record).map(
        async ([k, v]) => [k, await resolveText(v, baseDir)] as const,
      ),
    );
    return Object.fromEntries(entries);
  }
  return value;
}

async function entityProblems(entity: Entity): Promise<string[]> {
  const id = `${entity.kind}:${entity.metadata?.name}`;
  const problems: string[] = [];
  try {
    await policy.enforce(entity);
    const validator =
      entity.kind === 'API'
        ? apiEntityV1alpha1Validator
        : componentEntityV1alpha1Validator;
    if (!(await validator.check(entity))) {
      problems.push(`${id}: not a ${entity.kind} entity`);
    }
  } catch (error) {
    problems.push(`${id}: ${(error as Error).message}`);
  }
  if (entity.kind === 'Component') {
    const annotations = entity.metadata.annotations ?? {};
    problems.push(
      ...REQUIRED_ANNOTATIONS.filter(key => !annotations[key]).map(
        key => `${id}: missing annotation ${key}`,
      ),
      ...endpointProblems(id, annotations),
    );
  }
  if (entity.kind === 'API') {
    const spec = yaml.parse(String(entity.spec?.definition ?? ''));
    if (!/^3\./.test(String(spec?.openapi)) || !spec?.paths) {
      problems.push(
        `${id}: definition is not an OpenAPI 3 document with paths`,
      );
    }
  }
  return problems;
}

export function catalogCheck(repoDir: string): Check {
  return {
    name: 'catalog entities',
    run: async () => {
      const text = await fs.readFile(
        path.join(repoDir, 'catalog-info.yaml'),
        'utf8',
      );
      const documents = yaml
        .parseAllDocuments(text)
        .map(d => d.toJS())
        .filter(Boolean);
      const entities = (await Promise.all(
        documents.map(d => resolveText(d, repoDir)),
      )) as Entity[];
      const kinds = entities.map(e => e.kind).sort();
      const problems = (await Promise.all(entities.map(entityProblems))).flat();
      if (!kinds.includes('Component') || !kinds.includes('API')) {
        problems.push(
          `expected a Component and an API entity, found ${
            kinds.join(', ') || 'none'
          }`,
        );
      }
      if (problems.length > 0) {
        throw new Error(problems.join('\n'));
      }
    },
  };
}
