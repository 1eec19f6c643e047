import { parseAllDocuments } from 'yaml';
import { KubernetesObject } from './types';

/**
 * Reads manifests given as parsed objects or as a multi-document YAML string (such as the output of
 * `kubectl kustomize`). Empty documents are skipped and `kind: List` objects are flattened. The
 * result is a deep copy, so the caller's objects are never modified.
 */
export function parseManifests(
  manifests: string | readonly unknown[],
): KubernetesObject[] {
  const documents =
    typeof manifests === 'string' ? parseYamlDocuments(manifests) : manifests;
  const objects: KubernetesObject[] = [];
  documents.forEach((document, index) => {
    if (document === null || document === undefined) {
      return;
    }
    for (const object of flattenLists(document)) {
      objects.push(checkObject(object, index));
    }
  });
  return structuredClone(objects);
}

function parseYamlDocuments(text: string): unknown[] {
  return parseAllDocuments(text).map((document, index) => {
    if (document.errors.length > 0) {
      throw new Error(
        `manifest document ${index + 1} is not valid YAML: ${
          document.errors[0].message
        }`,
      );
    }
    return document.toJS();
  });
}

function flattenLists(document: unknown): unknown[] {
  const list = document as { kind?: unknown; items?: unknown };
  if (list.kind === 'List' && Array.isArray(list.items)) {
    return list.items.flatMap(flattenLists);
  }
  return [document];
}

function checkObject(value: unknown, documentIndex: number): KubernetesObject {
  const object = value as Partial<KubernetesObject> | undefined;
  const where = `manifest document ${documentIndex + 1}`;
  if (typeof object !== 'object' || object === null || Array.isArray(object)) {
    throw new Error(`${where} is not a Kubernetes object`);
  }
  if (typeof object.apiVersion !== 'string' || !object.apiVersion) {
    throw new Error(`${where} has no apiVersion`);
  }
  if (typeof object.kind !== 'string' || !object.kind) {
    throw new Error(`${where} has no kind`);
  }
  if (typeof object.metadata?.name !== 'string' || !object.metadata.name) {
    throw new Error(`${where} (${object.kind}) has no metadata.name`);
  }
  return object as KubernetesObject;
}
