import {
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  getInferenceEndpoints,
  InferenceEndpoint,
  ML_SERVICE_ANNOTATION_SETS,
} from '@eks-mlops/backstage-plugin-mlops-common';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { DeployRecords, deployRecordsOf } from '../../aws/deployRecords';

/** A catalog entity that declares inference endpoints. */
export interface MlService {
  entityRef: string;
  title?: string;
  owner?: string;
  endpoints: InferenceEndpoint[];
  /** Where its deploy workflow leaves traces of the environments it deployed, when it says. */
  deployRecords?: DeployRecords;
}

const FIELDS = [
  'kind',
  'metadata.namespace',
  'metadata.name',
  'metadata.title',
  'metadata.annotations',
  'spec.owner',
];

const PAGE_SIZE = 500;

const exists = (...keys: string[]) =>
  Object.fromEntries(
    keys.map(key => [`metadata.annotations.${key}`, CATALOG_FILTER_EXISTS]),
  );

/** Entities carrying any of the ML service annotation sets (the catalog ORs the list). */
const ML_SERVICE_FILTER = ML_SERVICE_ANNOTATION_SETS.map(keys =>
  exists(...keys),
);

export function toMlService(entity: Entity): MlService {
  const owner = (entity.spec as { owner?: unknown } | undefined)?.owner;
  return {
    entityRef: stringifyEntityRef(entity),
    title: entity.metadata.title,
    owner: typeof owner === 'string' ? owner : undefined,
    endpoints: getInferenceEndpoints(entity),
    deployRecords: deployRecordsOf(entity),
  };
}

/**
 * Reads ML services from the catalog with the caller's credentials, so a user
 * only ever sees the entities the catalog lets them read.
 */
export class MlServiceCatalog {
  constructor(
    private readonly catalog: CatalogService,
    private readonly logger: LoggerService,
  ) {}

  /** Every entity declaring a primary inference endpoint, sorted by entity ref. */
  async list(credentials: BackstageCredentials): Promise<MlService[]> {
    const services: MlService[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.catalog.queryEntities(
        cursor
          ? { cursor, limit: PAGE_SIZE, fields: FIELDS }
          : {
              filter: ML_SERVICE_FILTER,
              limit: PAGE_SIZE,
              fields: FIELDS,
              // No order: the catalog then pages by entity id without joining
              // its search table for a sort key. The list is sorted here.
              // (No `totalItems: 'exclude'` either: catalog backends older
              // than catalog-client 1.16 refuse that query parameter.)
            },
        { credentials },
      );
      for (const entity of page.items) {
        const service = toMlService(entity);
        if (service.endpoints.length > 0) services.push(service);
      }
      cursor = page.pageInfo.nextCursor;
    } while (cursor);
    services.sort((a, b) => a.entityRef.localeCompare(b.entityRef));
    this.logger.debug(`read ${services.length} ML services from the catalog`);
    return services;
  }

  /** One entity, or undefined when it does not exist or the caller may not read it. */
  async get(
    entityRef: string,
    credentials: BackstageCredentials,
  ): Promise<{ entity: Entity; service: MlService } | undefined> {
    const entity = await this.catalog.getEntityByRef(
      parseEntityRef(entityRef),
      { credentials },
    );
    return entity ? { entity, service: toMlService(entity) } : undefined;
  }
}
