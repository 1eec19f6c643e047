import { CompoundEntityRef } from '@backstage/catalog-model';
import { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  EntityHealthResponse,
  FleetResponse,
  PredictRequest,
  PredictResponse,
} from '@eks-mlops/backstage-plugin-mlops-common';
import { MlopsApi } from './types';

/**
 * {@link MlopsApi} over HTTP: finds the backend with the discovery API and
 * calls it with the fetch API, so the user's Backstage token goes along.
 *
 * @public
 */
export class MlopsClient implements MlopsApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  /** {@inheritDoc MlopsApi.getFleet} */
  async getFleet(): Promise<FleetResponse> {
    return this.request<FleetResponse>('/v1/fleet');
  }

  /** {@inheritDoc MlopsApi.getEntityHealth} */
  async getEntityHealth(
    entityRef: CompoundEntityRef,
  ): Promise<EntityHealthResponse> {
    return this.request<EntityHealthResponse>(
      `${entityPath(entityRef)}/health`,
    );
  }

  /** {@inheritDoc MlopsApi.predict} */
  async predict(
    entityRef: CompoundEntityRef,
    request: PredictRequest,
  ): Promise<PredictResponse> {
    return this.request<PredictResponse>(`${entityPath(entityRef)}/predict`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(request),
    });
  }

  private async request<T>(path: string, init?: RequestInit): Promise<T> {
    const baseUrl = await this.discoveryApi.getBaseUrl('mlops');
    const response = await this.fetchApi.fetch(`${baseUrl}${path}`, init);
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }
}

function entityPath(entityRef: CompoundEntityRef): string {
  const segments = [
    entityRef.kind.toLocaleLowerCase('en-US'),
    entityRef.namespace,
    entityRef.name,
  ].map(encodeURIComponent);
  return `/v1/entities/${segments.join('/')}`;
}
