import { Entity } from '@backstage/catalog-model';
import {
  EcrRepositoryLocation,
  MLOPS_ANNOTATIONS,
  parseEcrRepositoryUri,
} from '@eks-mlops/backstage-plugin-mlops-common';
import { ServiceStateLocation, serviceStateLocation } from './terraformState';

/**
 * Where the template's deploy workflow leaves traces of each environment it
 * has deployed. Both are per environment, so an endpoint's environment must
 * be that of the records: only for a service that says which environment its
 * primary endpoint is (`mlops/inference-environment`, as the template's do).
 */
export interface DeployRecords {
  /** `mlops/ecr-repository`: the deploy tags the image it rolls out `<env>-run-<run>-<attempt>`. */
  images?: EcrRepositoryLocation;
  /** `mlops/tfstate`: an environment's apply writes `<prefix>/<env>/terraform.tfstate` from its start. */
  states?: ServiceStateLocation;
}

/** The service's deploy records, or undefined when it has none to read. */
export function deployRecordsOf(entity: Entity): DeployRecords | undefined {
  const annotations = entity.metadata.annotations ?? {};
  if (!annotations[MLOPS_ANNOTATIONS.inferenceEnvironment]) return undefined;
  const images = parseEcrRepositoryUri(
    annotations[MLOPS_ANNOTATIONS.ecrRepository],
  );
  const states = serviceStateLocation(entity);
  return images || states ? { images, states } : undefined;
}
