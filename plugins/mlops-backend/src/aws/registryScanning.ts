import {
  ECRClient,
  GetRegistryScanningConfigurationCommand,
  RegistryScanningConfiguration,
  RegistryScanningRule,
} from '@aws-sdk/client-ecr';
import { NotAllowedError } from '@backstage/errors';

/**
 * A warning when the repository's images will not be scanned although
 * `scanOnPush` asks for it: the registry uses enhanced scanning (Amazon
 * Inspector), where the registry's rules decide which repositories are
 * scanned and a repository's `scanOnPush` has no effect, and no rule's filter
 * matches the repository. Undefined when the registry uses basic scanning or
 * a rule covers the repository. Not being allowed to read the registry's
 * configuration is a warning too, not a failure: nothing depends on it.
 */
export async function unscannedRepositoryWarning(
  ecr: ECRClient,
  repositoryName: string,
): Promise<string | undefined> {
  const configuration = await registryScanning(ecr);
  if (configuration instanceof NotAllowedError) {
    return (
      `Could not read the registry's scanning configuration to tell whether images pushed to "${repositoryName}" ` +
      `are scanned: ${configuration.message} Under enhanced scanning (Amazon Inspector) the registry's rules decide that, not scanOnPush.`
    );
  }
  if (configuration?.scanType !== 'ENHANCED') {
    return undefined;
  }
  if (
    (configuration.rules ?? []).some(rule =>
      coversRepository(rule, repositoryName),
    )
  ) {
    return undefined;
  }
  return (
    `The registry uses enhanced scanning (Amazon Inspector), and none of its scanning rules has a filter matching ` +
    `"${repositoryName}": its images will not be scanned, whatever scanOnPush says. Ask the registry's administrator ` +
    `to add a filter matching it to a rule (ecr:PutRegistryScanningConfiguration).`
  );
}

async function registryScanning(
  ecr: ECRClient,
): Promise<RegistryScanningConfiguration | undefined | NotAllowedError> {
  try {
    const { scanningConfiguration } = await ecr.send(
      new GetRegistryScanningConfigurationCommand({}),
    );
    return scanningConfiguration;
  } catch (error) {
    if (error instanceof NotAllowedError) {
      return error;
    }
    throw error;
  }
}

function coversRepository(
  rule: RegistryScanningRule,
  repositoryName: string,
): boolean {
  return (
    rule.scanFrequency !== 'MANUAL' &&
    (rule.repositoryFilters ?? []).some(({ filter }) =>
      filter ? matchesFilter(filter, repositoryName) : false,
    )
  );
}

/**
 * ECR's wildcard repository filters: without `*` a filter matches every
 * name containing it; with `*`, each `*` stands for any characters.
 */
export function matchesFilter(filter: string, repositoryName: string): boolean {
  if (!filter.includes('*')) {
    return repositoryName.includes(filter);
  }
  const pattern = filter
    .split('*')
    .map(part => part.replace(/[.+?^${}()|[\]\\/]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${pattern}$`).test(repositoryName);
}
