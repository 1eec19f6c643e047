import { Entity } from '@backstage/catalog-model';
import { MLOPS_ANNOTATIONS } from '@eks-mlops/backstage-plugin-mlops-common';

/** A catalog Component of model `m`, reached as its `annotations` say. */
export function modelEntity(
  name: string,
  annotations: Record<string, string>,
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      annotations: { [MLOPS_ANNOTATIONS.modelName]: 'm', ...annotations },
    },
    spec: { type: 'service', lifecycle: 'production', owner: 'team' },
  };
}

/** A catalog Component serving model `modelName` at `url`, with extra annotations. */
export function mlServiceEntity(
  name: string,
  url: string,
  options: { modelName?: string; annotations?: Record<string, string> } = {},
): Entity {
  return modelEntity(name, {
    [MLOPS_ANNOTATIONS.inferenceUrl]: url,
    [MLOPS_ANNOTATIONS.modelName]: options.modelName ?? 'm',
    ...options.annotations,
  });
}
