import { Entity } from '@backstage/catalog-model';
import { MLOPS_ANNOTATIONS } from '@eks-mlops/backstage-plugin-mlops-common';

/** A catalog Component serving model `modelName` at `url`, with extra annotations. */
export function mlServiceEntity(
  name: string,
  url: string,
  options: { modelName?: string; annotations?: Record<string, string> } = {},
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      annotations: {
        [MLOPS_ANNOTATIONS.inferenceUrl]: url,
        [MLOPS_ANNOTATIONS.modelName]: options.modelName ?? 'm',
        ...options.annotations,
      },
    },
    spec: { type: 'service', lifecycle: 'production', owner: 'team' },
  };
}
