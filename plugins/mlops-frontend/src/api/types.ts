import { CompoundEntityRef } from '@backstage/catalog-model';
import { createApiRef } from '@backstage/core-plugin-api';
import {
  EntityHealthResponse,
  FleetResponse,
  PredictRequest,
  PredictResponse,
} from '@eks-mlops/backstage-plugin-mlops-common';

/**
 * Client of the `mlops` backend plugin.
 *
 * @public
 */
export interface MlopsApi {
  /** Every ML service in the catalog with the latest health of its endpoints. */
  getFleet(): Promise<FleetResponse>;

  /**
   * Latest health, 24-hour summary and history of each endpoint of one entity.
   * Rejects with a `ResponseError` (404) when the backend does not know it.
   */
  getEntityHealth(entityRef: CompoundEntityRef): Promise<EntityHealthResponse>;

  /**
   * Sends an inference request through the backend's predict proxy. Resolves
   * whenever the model answered, whatever its status; rejects with a
   * `ResponseError` when the proxy refused or the endpoint failed.
   */
  predict(
    entityRef: CompoundEntityRef,
    request: PredictRequest,
  ): Promise<PredictResponse>;
}

/**
 * Reference to the {@link MlopsApi}.
 *
 * @public
 */
export const mlopsApiRef = createApiRef<MlopsApi>({
  id: 'plugin.mlops.service',
});
