import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  AuthService,
  LoggerService,
  SchedulerServiceTaskRunner,
} from '@backstage/backend-plugin-api';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import {
  ANNOTATION_KUBERNETES_API_SERVER,
  ANNOTATION_KUBERNETES_API_SERVER_CA,
  ANNOTATION_KUBERNETES_AUTH_PROVIDER,
  ANNOTATION_LOCATION,
  ANNOTATION_ORIGIN_LOCATION,
  Entity,
  makeValidator,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  CatalogService,
  EntityProvider,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import { MLOPS_ANNOTATIONS } from '@eks-mlops/backstage-plugin-mlops-common';
import { AwsClientFactory } from '../aws/AwsClientFactory';
import {
  environmentsWithState,
  ServiceStateLocation,
  serviceStateLocation,
  stateObjectKey,
  statePrefixUrl,
  stateUrl,
} from '../aws/terraformState';
import { StateCluster, clusterFromState } from './clusterOutputs';
import { ClusterDiscoveryRequest } from './discoveryRequests';

/**
 * The EKS cluster name the Kubernetes plugin's AWS auth signs its token for
 * (`ANNOTATION_KUBERNETES_AWS_CLUSTER_ID` of @backstage/plugin-kubernetes-common;
 * the other keys the catalog cluster locator reads come from catalog-model).
 */
const ANNOTATION_KUBERNETES_AWS_CLUSTER_ID = 'kubernetes.io/x-k8s-aws-id';

const validator = makeValidator();

/**
 * Catalog entity provider: for every Component with the `mlops/tfstate`
 * annotation, reads each environment's Terraform state from S3 (outputs only)
 * and emits a `Resource` of type `kubernetes-cluster` per cluster the service
 * created, with the annotations the Kubernetes plugin's catalog cluster
 * locator reads, owned by the Component's owner and a dependency of it.
 * Every run replaces all of its entities (full mutation). A state that is
 * missing, unreadable, malformed or lacks the cluster outputs yields no entity
 * and one warning.
 */
export class TerraformStateClusterProvider implements EntityProvider {
  private connection?: EntityProviderConnection;

  constructor(
    private readonly options: {
      catalog: CatalogService;
      auth: AuthService;
      logger: LoggerService;
      awsClientFactory: AwsClientFactory;
      /** Runs the refresh; when absent, call {@link refresh} yourself. */
      taskRunner?: SchedulerServiceTaskRunner;
    },
  ) {}

  getProviderName(): string {
    return 'mlops-terraform-state-clusters';
  }

  async connect(connection: EntityProviderConnection): Promise<void> {
    this.connection = connection;
    await this.options.taskRunner?.run({
      id: `${this.getProviderName()}:refresh`,
      fn: () => this.refresh(),
    });
  }

  /** Reads every state and replaces this provider's entities. */
  async refresh(): Promise<void> {
    if (!this.connection) {
      throw new Error(`${this.getProviderName()} is not connected`);
    }
    const { catalog, auth, logger } = this.options;
    const { items } = await catalog.getEntities(
      {
        filter: {
          kind: 'Component',
          [`metadata.annotations.${MLOPS_ANNOTATIONS.tfstate}`]:
            CATALOG_FILTER_EXISTS,
        },
        fields: ['kind', 'metadata', 'spec.owner', 'spec.system'],
      },
      { credentials: await auth.getOwnServiceCredentials() },
    );
    const entities = new Map<string, { entity: Entity; locationKey: string }>();
    for (const component of items) {
      for (const entity of await this.clustersOf(component)) {
        const ref = stringifyEntityRef(entity);
        if (entities.has(ref)) {
          logger.warn(
            `mlops cluster discovery: cluster ${ref} of ${stringifyEntityRef(
              component,
            )} is already emitted for another service; kept the first`,
          );
          continue;
        }
        entities.set(ref, {
          entity,
          locationKey: this.locationKeyOf(component),
        });
      }
    }
    await this.connection.applyMutation({
      type: 'full',
      entities: [...entities.values()],
    });
    logger.info(
      `mlops cluster discovery: ${entities.size} kubernetes-cluster Resource(s) from ${items.length} service(s)`,
    );
  }

  /**
   * Reads one environment's state now, on a request from the mlops plugin
   * (its rollout tagged an image and its endpoint has not answered yet), and
   * adds its cluster unless the catalog has it already. The next full run
   * keeps or removes it as usual. Nothing happens before the provider is
   * connected: its first run reads every state anyway.
   */
  async discoverEnvironment(request: ClusterDiscoveryRequest): Promise<void> {
    const { catalog, auth, logger } = this.options;
    const connection = this.connection;
    if (!connection) return;
    const { entityRef, environment } = request;
    const credentials = await auth.getOwnServiceCredentials();
    const component = await catalog.getEntityByRef(entityRef, {
      credentials,
    });
    const location = component && serviceStateLocation(component);
    if (!component || !location) {
      logger.debug(
        `mlops cluster discovery: ${entityRef} has no ${MLOPS_ANNOTATIONS.tfstate} to read for ${environment}`,
      );
      return;
    }
    const url = stateUrl(location, environment);
    const known = await catalog.getEntities(
      {
        filter: {
          kind: 'Resource',
          [`metadata.annotations.${ANNOTATION_LOCATION}`]: `url:${url}`,
        },
        fields: ['metadata.name'],
      },
      { credentials },
    );
    if (known.items.length > 0) return;
    let s3: S3Client;
    try {
      ({ s3 } = await this.options.awsClientFactory.create({
        region: location.region,
        accountId: location.accountId,
      }));
    } catch (error) {
      logger.warn(
        `mlops cluster discovery: cannot read ${url} for ${entityRef}: ${errorText(
          error,
        )}`,
      );
      return;
    }
    const entity = await this.clusterOfEnvironment(
      component,
      location,
      s3,
      environment,
    );
    if (!entity) return;
    await connection.applyMutation({
      type: 'delta',
      added: [{ entity, locationKey: this.locationKeyOf(component) }],
      removed: [],
    });
    logger.info(
      `mlops cluster discovery: added cluster ${entity.metadata.name} of ${entityRef} (${environment}), on the deploy's request`,
    );
  }

  /** The location key of every cluster a service's states yield. */
  private locationKeyOf(component: Entity): string {
    return `${this.getProviderName()}:${stringifyEntityRef(component)}`;
  }

  private async clustersOf(component: Entity): Promise<Entity[]> {
    const { logger } = this.options;
    const ref = stringifyEntityRef(component);
    const location = serviceStateLocation(component);
    if (!location) {
      logger.warn(
        `mlops cluster discovery: ${ref} has ${MLOPS_ANNOTATIONS.tfstate} "${
          component.metadata.annotations?.[MLOPS_ANNOTATIONS.tfstate]
        }", not s3://<bucket>/<prefix>; no clusters from it`,
      );
      return [];
    }
    const where = statePrefixUrl(location);
    let s3: S3Client;
    let environments: string[];
    try {
      const clients = await this.options.awsClientFactory.create({
        region: location.region,
        accountId: location.accountId,
      });
      s3 = clients.s3;
      environments = await environmentsWithState(s3, location);
    } catch (error) {
      logger.warn(
        `mlops cluster discovery: cannot list the Terraform states of ${ref} under ${where}: ${errorText(
          error,
        )}`,
      );
      return [];
    }
    if (environments.length === 0) {
      logger.warn(
        `mlops cluster discovery: no environment state under ${where} for ${ref} (not applied yet?)`,
      );
      return [];
    }
    const entities: Entity[] = [];
    for (const environment of environments) {
      const entity = await this.clusterOfEnvironment(
        component,
        location,
        s3,
        environment,
      );
      if (entity) entities.push(entity);
    }
    return entities;
  }

  /**
   * The cluster entity of one environment's state, or undefined (with a
   * warning when the state is not what the template's roots write).
   */
  private async clusterOfEnvironment(
    component: Entity,
    location: ServiceStateLocation,
    s3: S3Client,
    environment: string,
  ): Promise<Entity | undefined> {
    const { logger } = this.options;
    const ref = stringifyEntityRef(component);
    const url = stateUrl(location, environment);
    const skip = (reason: string) => {
      logger.warn(
        `mlops cluster discovery: no cluster for ${ref} environment ${environment} from ${url}: ${reason}`,
      );
      return undefined;
    };
    let text: string;
    try {
      const object = await s3.send(
        new GetObjectCommand({
          Bucket: location.bucket,
          Key: stateObjectKey(location, environment),
        }),
      );
      text = (await object.Body?.transformToString('utf-8')) ?? '';
    } catch (error) {
      return skip(errorText(error));
    }
    const result = clusterFromState(text);
    if (result.kind === 'invalid') return skip(result.reason);
    if (result.kind === 'existing-cluster') {
      logger.debug(
        `mlops cluster discovery: ${ref} environment ${environment} uses the existing cluster ${result.name}; it is registered by the platform, not here`,
      );
      return undefined;
    }
    if (!validator.isValidEntityName(result.cluster.name)) {
      return skip(
        `cluster name "${result.cluster.name}" is not a valid entity name`,
      );
    }
    return clusterEntity(component, environment, result.cluster, url);
  }
}

function clusterEntity(
  component: Entity,
  environment: string,
  cluster: StateCluster,
  stateObjectUrl: string,
): Entity {
  const namespace = component.metadata.namespace ?? 'default';
  const location = `url:${stateObjectUrl}`;
  const spec = component.spec ?? {};
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: {
      name: cluster.name,
      namespace,
      description: `EKS cluster of ${component.metadata.name} (${environment}), from its Terraform state`,
      annotations: {
        [ANNOTATION_LOCATION]: location,
        [ANNOTATION_ORIGIN_LOCATION]: location,
        [ANNOTATION_KUBERNETES_API_SERVER]: cluster.endpoint,
        [ANNOTATION_KUBERNETES_API_SERVER_CA]: cluster.certificateAuthorityData,
        [ANNOTATION_KUBERNETES_AUTH_PROVIDER]: 'aws',
        [ANNOTATION_KUBERNETES_AWS_CLUSTER_ID]: cluster.name,
        ...(cluster.region && {
          [MLOPS_ANNOTATIONS.awsRegion]: cluster.region,
        }),
      },
    },
    spec: {
      type: 'kubernetes-cluster',
      owner: typeof spec.owner === 'string' ? spec.owner : 'unknown',
      ...(typeof spec.system === 'string' && { system: spec.system }),
      dependencyOf: [stringifyEntityRef(component)],
    },
  };
}

function errorText(error: unknown): string {
  if (error instanceof Error) {
    return error.name && error.name !== 'Error'
      ? `${error.name}: ${error.message}`
      : error.message;
  }
  return String(error);
}
