import {
  Entity,
  getCompoundEntityRef,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import { EntityHealthResponse } from '@eks-mlops/backstage-plugin-mlops-common';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import useInterval from 'react-use/esm/useInterval';
import { mlopsApiRef } from '../api';

/** The backend probes on a schedule; refreshing more often shows nothing new. */
const REFRESH_INTERVAL_MS = 60_000;

export interface EntityHealthState {
  health?: EntityHealthResponse;
  /** True only until the first answer; refreshes keep showing the last one. */
  loading: boolean;
  error?: Error;
}

export function useEntityHealth(entity: Entity): EntityHealthState {
  const api = useApi(mlopsApiRef);
  const entityRef = stringifyEntityRef(getCompoundEntityRef(entity));
  const { value, loading, error, retry } = useAsyncRetry(
    () => api.getEntityHealth(parseEntityRef(entityRef)),
    [api, entityRef],
  );
  useInterval(retry, REFRESH_INTERVAL_MS);
  return { health: value, loading: loading && !value, error };
}
