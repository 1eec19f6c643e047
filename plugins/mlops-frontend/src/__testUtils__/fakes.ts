import { Entity } from '@backstage/catalog-model';
import { ApiRef } from '@backstage/core-plugin-api';
import {
  kubernetesApiRef,
  kubernetesAuthProvidersApiRef,
} from '@backstage/plugin-kubernetes-react';
import { PermissionApi } from '@backstage/plugin-permission-react';
import { ResponseError } from '@backstage/errors';
import { mockApis } from '@backstage/test-utils';
import {
  EntityHealthResponse,
  FleetResponse,
} from '@eks-mlops/backstage-plugin-mlops-common';
import { MlopsApi } from '../api';
import { DeploymentRollout } from '../kubernetes/rollout';
import healthyHealth from '../__fixtures__/health-healthy.json';
import fleet from '../__fixtures__/fleet.json';
import healthyKubernetes from '../__fixtures__/kubernetes-healthy.json';
import firstRolloutKubernetes from '../__fixtures__/kubernetes-first-rollout.json';

export type ApiPair = readonly [ApiRef<object>, object];

export const DEFAULT_ANNOTATIONS = {
  'mlops/inference-url': 'https://churn-model.ml.example.com',
  'mlops/inference-url-staging': 'https://churn-model.staging.ml.example.com',
  'mlops/model-name': 'churn-model',
  'mlops/ecr-repository':
    '123456789012.dkr.ecr.eu-west-1.amazonaws.com/churn-model',
  'mlops/tfstate': 's3://acme-ml-tfstate/churn-model',
  'mlops/aws-region': 'eu-west-1',
  'mlops/aws-account-id': '123456789012',
  'mlops/eks-cluster': 'ml-prod',
  'backstage.io/kubernetes-id': 'churn-model',
  'github.com/project-slug': 'acme/churn-model',
};

export function mlServiceEntity(
  annotations: Record<string, string> = DEFAULT_ANNOTATIONS,
  name = 'churn-model',
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, namespace: 'default', annotations },
    spec: {
      type: 'service',
      owner: 'group:default/team-churn',
      lifecycle: 'production',
    },
  };
}

/** A service created with dev and prod: the primary URL is prod's. */
export const DEV_AND_PROD_ANNOTATIONS = {
  'mlops/inference-url': 'https://churn-model.ml.example.com',
  'mlops/inference-environment': 'prod',
  'mlops/inference-url-dev': 'https://churn-model.dev.ml.example.com',
  'mlops/model-name': 'churn-model',
  'backstage.io/kubernetes-id': 'churn-model',
};

/** The healthy answer for {@link DEV_AND_PROD_ANNOTATIONS}. */
export function devAndProdHealth(): EntityHealthResponse {
  const [primary, other] = (healthyHealth as unknown as EntityHealthResponse)
    .endpoints;
  return {
    ...(healthyHealth as unknown as EntityHealthResponse),
    endpoints: [
      { ...primary, environment: 'prod' },
      {
        ...other,
        environment: 'dev',
        url: DEV_AND_PROD_ANNOTATIONS['mlops/inference-url-dev'],
      },
    ],
  };
}

/**
 * A service created with dev and prod, with a host and a cluster per
 * environment, whose prod deploy awaits approval: dev runs on
 * churn-model-dev, and prod's host does not resolve yet.
 */
export const PROD_AWAITING_APPROVAL = {
  entity: mlServiceEntity({
    ...DEV_AND_PROD_ANNOTATIONS,
    'mlops/eks-cluster': 'churn-model-prod',
    'backstage.io/kubernetes-namespace': 'ml-churn',
  }),
  clusters: ['churn-model-dev', 'churn-model-prod'],
  kubernetes: {
    items: [
      { ...healthyKubernetes.items[0], cluster: { name: 'churn-model-dev' } },
    ],
  },
  health(): EntityHealthResponse {
    const [prod, dev] = devAndProdHealth().endpoints;
    return {
      ...devAndProdHealth(),
      endpoints: [
        {
          ...prod,
          state: 'down',
          errorClass: 'dns',
          errorMessage:
            'ready: cannot resolve churn-model.ml.example.com: getaddrinfo ENOTFOUND',
          uptime24h: 0,
        },
        dev,
      ],
    };
  },
};

/**
 * As {@link PROD_AWAITING_APPROVAL}, before prod's cluster exists: the
 * Kubernetes plugin knows dev's cluster only, and the prober found no image
 * in the service's ECR repository with prod's deploy tag while dev's exists.
 */
export const PROD_CLUSTER_NOT_CREATED = {
  ...PROD_AWAITING_APPROVAL,
  clusters: ['churn-model-dev'],
  health(): EntityHealthResponse {
    const [prod, dev] = PROD_AWAITING_APPROVAL.health().endpoints;
    return {
      ...devAndProdHealth(),
      endpoints: [
        {
          ...prod,
          state: 'unknown',
          errorClass: 'not-deployed',
          errorMessage:
            'not deployed yet: no image in ECR repository churn-model is tagged prod-run-* while dev has its, ' +
            "so prod's deploy has not run (on a new service, the deploy workflow waits for approval before prod); " +
            'the probe: ready: cannot resolve churn-model.ml.example.com: getaddrinfo ENOTFOUND',
        },
        dev,
      ],
    };
  },
};

/**
 * As {@link PROD_AWAITING_APPROVAL}, once prod's deploy was approved: prod's
 * first rollout is under way (its pods are being created) and its endpoint
 * has never answered.
 */
export const PROD_FIRST_ROLLOUT = {
  ...PROD_AWAITING_APPROVAL,
  kubernetes: {
    items: [
      ...PROD_AWAITING_APPROVAL.kubernetes.items,
      {
        ...firstRolloutKubernetes.items[0],
        cluster: { name: 'churn-model-prod' },
      },
    ],
  },
};

/** A Deployment as `summarizeRollout` gives it: a first rollout, no replica available yet. */
export function firstRolloutOf(
  more: Partial<DeploymentRollout> = {},
): DeploymentRollout {
  return {
    cluster: 'churn-model-prod',
    clusterName: 'churn-model-prod',
    namespace: 'ml-churn',
    name: 'churn-model',
    desiredReplicas: 2,
    readyReplicas: 0,
    updatedReplicas: 2,
    availableReplicas: 0,
    state: 'progressing',
    stateMessage: '0 of 2 updated replicas available',
    restarts: 0,
    problems: [],
    ...more,
  };
}

export function fakeMlopsApi(overrides: Partial<MlopsApi> = {}) {
  return {
    getFleet: jest.fn(async () => fleet as FleetResponse),
    getEntityHealth: jest.fn(
      async () => healthyHealth as unknown as EntityHealthResponse,
    ),
    predict: jest.fn(async () => ({
      status: 200,
      latencyMs: 23,
      body: {
        model_name: 'churn-model',
        outputs: [
          { name: 'predictions', shape: [1], datatype: 'INT64', data: [0] },
        ],
      },
    })),
    ...overrides,
  };
}

/** The cluster the Kubernetes fixtures answer from. */
export const FIXTURE_CLUSTER = 'eks-prod-eu-west-1';

/**
 * The Kubernetes plugin's client APIs, answering every entity with `objects`
 * and listing `clusters` (by name) as the clusters it knows.
 */
export function fakeKubernetesApis(
  objects: unknown,
  clusters: string[] = [FIXTURE_CLUSTER],
): ApiPair[] {
  const kubernetesApi = {
    getClusters: jest.fn(async () =>
      clusters.map(name => ({ name, authProvider: 'serviceAccount' })),
    ),
    getObjectsByEntity: jest.fn(async () => objects),
  };
  const authProvidersApi = {
    decorateRequestBodyForAuth: jest.fn(
      async (_provider: string, body: object) => body,
    ),
    getCredentials: jest.fn(async () => ({})),
  };
  return [
    [kubernetesApiRef, kubernetesApi],
    [kubernetesAuthProvidersApiRef, authProvidersApi],
  ];
}

type AuthorizeOption = NonNullable<
  NonNullable<Parameters<typeof mockApis.permission>[0]>['authorize']
>;
type Decision = Exclude<AuthorizeOption, (...args: any[]) => unknown>;

/** A permission API that allows or denies every request. */
export function fakePermissionApi(allowed: boolean): PermissionApi {
  // The enum lives in @backstage/plugin-permission-common, which this package
  // does not depend on; its members are these strings.
  const decision = (allowed ? 'ALLOW' : 'DENY') as Decision;
  return mockApis.permission({ authorize: decision });
}

const STATUS_TEXTS: Record<number, string> = {
  200: 'OK',
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  413: 'Payload Too Large',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  504: 'Gateway Timeout',
};

export function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    statusText: STATUS_TEXTS[status] ?? '',
    headers: { 'Content-Type': 'application/json' },
  });
}

/** A response with Backstage's standard error body, as the backend sends it. */
export function errorResponse(
  status: number,
  name: string,
  message: string,
): Response {
  return jsonResponse(status, {
    error: { name, message },
    response: { statusCode: status },
  });
}

/** The error `MlopsClient` throws for such a response. */
export function backstageError(
  status: number,
  name: string,
  message: string,
): Promise<ResponseError> {
  return ResponseError.fromResponse(errorResponse(status, name, message));
}

/**
 * The error `MlopsClient` throws when no mlops backend plugin is installed:
 * Backstage then answers `/api/mlops/...` with an empty 404.
 */
export function emptyNotFoundError(): Promise<ResponseError> {
  return ResponseError.fromResponse(
    new Response('', { status: 404, statusText: 'Not Found' }),
  );
}
