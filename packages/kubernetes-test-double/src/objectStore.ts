import { FieldRequirement, matchesFieldSelector } from './fieldSelector';
import { LabelRequirement, matchesLabelSelector } from './labelSelector';
import { ResourceType, apiVersionOf, resourceTypesFor } from './resourceTypes';
import { KubernetesObject } from './types';

/** The objects of the simulated cluster at one resourceVersion, looked up by type. */
export class ObjectStore {
  readonly types: readonly ResourceType[];

  constructor(
    private readonly objects: readonly KubernetesObject[],
    readonly resourceVersion: string,
  ) {
    this.types = resourceTypesFor(objects);
  }

  /** The objects of a type, in one namespace or all, sorted by namespace and name like the API server. */
  list(options: {
    type: ResourceType;
    namespace?: string;
    labelSelector?: readonly LabelRequirement[];
    fieldSelector?: readonly FieldRequirement[];
  }): KubernetesObject[] {
    const { type, namespace, labelSelector = [], fieldSelector = [] } = options;
    return this.objects
      .filter(
        object =>
          isOfType(object, type) &&
          (namespace === undefined ||
            object.metadata.namespace === namespace) &&
          matchesLabelSelector(object.metadata.labels, labelSelector) &&
          matchesFieldSelector(object, fieldSelector),
      )
      .sort((a, b) => storageKey(a).localeCompare(storageKey(b)));
  }

  get(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
  ): KubernetesObject | undefined {
    return this.objects.find(
      object =>
        isOfType(object, type) &&
        object.metadata.namespace === namespace &&
        object.metadata.name === name,
    );
  }
}

function isOfType(object: KubernetesObject, type: ResourceType): boolean {
  return object.apiVersion === apiVersionOf(type) && object.kind === type.kind;
}

function storageKey(object: KubernetesObject): string {
  return `${object.metadata.namespace ?? ''}/${object.metadata.name}`;
}
