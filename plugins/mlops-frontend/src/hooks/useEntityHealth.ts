import {
  Entity,
  getCompoundEntityRef,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import { EntityHealthResponse } from '@eks-mlops/backstage-plugin-mlops-common';
import { useRef } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import useInterval from 'react-use/esm/useInterval';
import { mlopsApiRef } from '../api';

/** The backend probes on a schedule; refreshing more often shows nothing new. */
const REFRESH_INTERVAL_MS = 60_000;

export interface EntityHealthState {
  /** The latest answer; a failed refresh keeps the last one (with `error`). */
  health?: EntityHealthResponse;
  /** True only until the first answer or error; refreshes do not set it. */
  loading: boolean;
  /** Why the latest request failed; cleared by the next answer. */
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
  // A failed request drops the value it had; keep showing the last answer.
  const lastAnswer = useRef<{
    entityRef: string;
    health: EntityHealthResponse;
  }>();
  if (value) lastAnswer.current = { entityRef, health: value };
  const health =
    value ??
    (lastAnswer.current?.entityRef === entityRef
      ? lastAnswer.current.health
      : undefined);
  return { health, loading: loading && !health && !error, error };
}
