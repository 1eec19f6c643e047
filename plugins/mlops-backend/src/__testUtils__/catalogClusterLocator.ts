import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { CatalogService } from '@backstage/plugin-catalog-node';

/*
 * The Kubernetes plugin's own catalog cluster locator. The package does not
 * export it, so it is loaded from its build output: a test fails if a
 * release moves it, rather than silently testing a copy of its contract.
 */
// eslint-disable-next-line @backstage/no-relative-monorepo-imports, @typescript-eslint/no-require-imports
const {
  CatalogClusterLocator,
} = require('@backstage/plugin-kubernetes-backend/dist/cluster-locator/CatalogClusterLocator.cjs.js');

/** What the Kubernetes plugin's catalog locator makes of a cluster. */
export interface LocatedCluster {
  name: string;
  url: string;
  caData?: string;
  authMetadata: Record<string, string>;
}

/** The clusters the Kubernetes plugin's catalog locator finds in `catalog`. */
export function locatedClusters(
  catalog: CatalogService,
): Promise<LocatedCluster[]> {
  const locator = CatalogClusterLocator.fromConfig(
    catalog,
    mockServices.auth(),
    // The real locator resolves the API server's host name and refuses
    // private addresses; this machine has no DNS, so the EKS domain is allowed.
    new ConfigReader({ dangerouslyAllowClusterUrls: ['*.eks.amazonaws.com'] }),
    mockServices.logger.mock(),
  );
  return locator.getClusters({ credentials: mockCredentials.service() });
}
