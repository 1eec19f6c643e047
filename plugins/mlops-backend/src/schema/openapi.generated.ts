// This file is generated from openapi.yaml by `yarn build:openapi`; do not edit it.
import { createValidatedOpenApiRouter } from '@backstage/backend-openapi-utils';

export const spec = {
  openapi: '3.0.3',
  info: {
    title: 'mlops',
    version: '1',
    description:
      'Endpoint health, fleet overview and a guarded predict proxy for ML services on AWS EKS. Every route needs Backstage credentials.',
    license: {
      name: 'Apache-2.0',
      url: 'http://www.apache.org/licenses/LICENSE-2.0.html',
    },
    contact: {},
  },
  servers: [
    {
      url: '/',
    },
  ],
  paths: {
    '/v1/fleet': {
      get: {
        operationId: 'GetFleet',
        description:
          'Every catalog entity the caller may read that carries mlops/inference-url, with the latest health of each endpoint and its 24-hour uptime and latency percentiles.',
        responses: {
          '200': {
            description: 'The fleet.',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/FleetResponse',
                },
              },
            },
          },
          '401': {
            $ref: '#/components/responses/ErrorResponse',
          },
          default: {
            $ref: '#/components/responses/ErrorResponse',
          },
        },
        security: [
          {},
          {
            JWT: [],
          },
        ],
      },
    },
    '/v1/entities/{kind}/{namespace}/{name}/health': {
      get: {
        operationId: 'GetEntityHealth',
        description:
          'Latest probe result per endpoint of one entity, with 24-hour summary and history; endpoints whose last probe is stale are probed first.',
        parameters: [
          {
            $ref: '#/components/parameters/kind',
          },
          {
            $ref: '#/components/parameters/namespace',
          },
          {
            $ref: '#/components/parameters/name',
          },
        ],
        responses: {
          '200': {
            description: "Health of the entity's endpoints.",
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/EntityHealthResponse',
                },
              },
            },
          },
          '401': {
            $ref: '#/components/responses/ErrorResponse',
          },
          '404': {
            $ref: '#/components/responses/ErrorResponse',
          },
          default: {
            $ref: '#/components/responses/ErrorResponse',
          },
        },
        security: [
          {},
          {
            JWT: [],
          },
        ],
      },
    },
    '/v1/entities/{kind}/{namespace}/{name}/predict': {
      post: {
        operationId: 'PostEntityPredict',
        description:
          "Forwards a V2 infer or V1 predict body to the entity's endpoint and returns the model's answer with its latency. Needs the mlops.entity.predict permission on the entity; every call is audited.",
        parameters: [
          {
            $ref: '#/components/parameters/kind',
          },
          {
            $ref: '#/components/parameters/namespace',
          },
          {
            $ref: '#/components/parameters/name',
          },
        ],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                $ref: '#/components/schemas/PredictRequest',
              },
            },
          },
        },
        responses: {
          '200': {
            description: 'The model answered (its own status is in the body).',
            content: {
              'application/json': {
                schema: {
                  $ref: '#/components/schemas/PredictResponse',
                },
              },
            },
          },
          '400': {
            $ref: '#/components/responses/ErrorResponse',
          },
          '401': {
            $ref: '#/components/responses/ErrorResponse',
          },
          '403': {
            $ref: '#/components/responses/ErrorResponse',
          },
          '404': {
            $ref: '#/components/responses/ErrorResponse',
          },
          '413': {
            $ref: '#/components/responses/ErrorResponse',
          },
          '502': {
            $ref: '#/components/responses/ErrorResponse',
          },
          '504': {
            $ref: '#/components/responses/ErrorResponse',
          },
          default: {
            $ref: '#/components/responses/ErrorResponse',
          },
        },
        security: [
          {},
          {
            JWT: [],
          },
        ],
      },
    },
  },
  components: {
    securitySchemes: {
      JWT: {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
      },
    },
    parameters: {
      kind: {
        name: 'kind',
        in: 'path',
        required: true,
        schema: {
          type: 'string',
        },
      },
      namespace: {
        name: 'namespace',
        in: 'path',
        required: true,
        schema: {
          type: 'string',
        },
      },
      name: {
        name: 'name',
        in: 'path',
        required: true,
        schema: {
          type: 'string',
        },
      },
    },
    responses: {
      ErrorResponse: {
        description: 'A Backstage error.',
        content: {
          'application/json': {
            schema: {
              $ref: '#/components/schemas/Error',
            },
          },
        },
      },
    },
    schemas: {
      Error: {
        type: 'object',
        properties: {
          error: {
            type: 'object',
            properties: {
              name: {
                type: 'string',
              },
              message: {
                type: 'string',
              },
            },
            required: ['name', 'message'],
          },
          request: {
            type: 'object',
            properties: {
              method: {
                type: 'string',
              },
              url: {
                type: 'string',
              },
            },
          },
          response: {
            type: 'object',
            properties: {
              statusCode: {
                type: 'number',
              },
            },
            required: ['statusCode'],
          },
        },
        required: ['error', 'response'],
      },
      EndpointHealthState: {
        type: 'string',
        enum: ['healthy', 'degraded', 'down', 'unknown'],
      },
      ProbeErrorClass: {
        type: 'string',
        enum: [
          'timeout',
          'dns',
          'tls',
          'refused',
          'reset',
          'bad-status',
          'malformed-body',
          'too-large',
          'blocked',
          'invalid-target',
          'kubernetes-proxy',
          'not-deployed',
        ],
      },
      TensorMetadata: {
        type: 'object',
        properties: {
          name: {
            type: 'string',
          },
          datatype: {
            type: 'string',
          },
          shape: {
            type: 'array',
            items: {
              type: 'number',
            },
          },
        },
        required: ['name', 'datatype', 'shape'],
        additionalProperties: false,
      },
      ModelMetadata: {
        type: 'object',
        properties: {
          name: {
            type: 'string',
          },
          versions: {
            type: 'array',
            items: {
              type: 'string',
            },
          },
          platform: {
            type: 'string',
          },
          inputs: {
            type: 'array',
            items: {
              $ref: '#/components/schemas/TensorMetadata',
            },
          },
          outputs: {
            type: 'array',
            items: {
              $ref: '#/components/schemas/TensorMetadata',
            },
          },
        },
        required: ['name'],
        additionalProperties: false,
      },
      EndpointHealthSummary: {
        type: 'object',
        properties: {
          environment: {
            type: 'string',
          },
          url: {
            type: 'string',
          },
          state: {
            $ref: '#/components/schemas/EndpointHealthState',
          },
          live: {
            type: 'boolean',
          },
          ready: {
            type: 'boolean',
          },
          modelReady: {
            type: 'boolean',
          },
          model: {
            $ref: '#/components/schemas/ModelMetadata',
          },
          latencyMs: {
            type: 'number',
          },
          httpStatus: {
            type: 'number',
          },
          errorClass: {
            $ref: '#/components/schemas/ProbeErrorClass',
          },
          errorMessage: {
            type: 'string',
          },
          checkedAt: {
            type: 'string',
            format: 'date-time',
          },
          uptime24h: {
            type: 'number',
          },
          p50LatencyMs: {
            type: 'number',
          },
          p95LatencyMs: {
            type: 'number',
          },
        },
        required: ['environment', 'url', 'state', 'checkedAt'],
        additionalProperties: false,
      },
      HealthHistoryPoint: {
        type: 'object',
        properties: {
          checkedAt: {
            type: 'string',
            format: 'date-time',
          },
          samples: {
            type: 'number',
          },
          uptime: {
            type: 'number',
          },
          state: {
            $ref: '#/components/schemas/EndpointHealthState',
          },
          latencyMs: {
            type: 'number',
          },
        },
        required: ['checkedAt', 'samples', 'uptime', 'state'],
        additionalProperties: false,
      },
      EndpointHealthDetail: {
        type: 'object',
        properties: {
          environment: {
            type: 'string',
          },
          url: {
            type: 'string',
          },
          state: {
            $ref: '#/components/schemas/EndpointHealthState',
          },
          live: {
            type: 'boolean',
          },
          ready: {
            type: 'boolean',
          },
          modelReady: {
            type: 'boolean',
          },
          model: {
            $ref: '#/components/schemas/ModelMetadata',
          },
          latencyMs: {
            type: 'number',
          },
          httpStatus: {
            type: 'number',
          },
          errorClass: {
            $ref: '#/components/schemas/ProbeErrorClass',
          },
          errorMessage: {
            type: 'string',
          },
          checkedAt: {
            type: 'string',
            format: 'date-time',
          },
          uptime24h: {
            type: 'number',
          },
          p50LatencyMs: {
            type: 'number',
          },
          p95LatencyMs: {
            type: 'number',
          },
          history: {
            type: 'array',
            items: {
              $ref: '#/components/schemas/HealthHistoryPoint',
            },
          },
        },
        required: ['environment', 'url', 'state', 'checkedAt', 'history'],
        additionalProperties: false,
      },
      EntityHealthResponse: {
        type: 'object',
        properties: {
          entityRef: {
            type: 'string',
          },
          endpoints: {
            type: 'array',
            items: {
              $ref: '#/components/schemas/EndpointHealthDetail',
            },
          },
        },
        required: ['entityRef', 'endpoints'],
        additionalProperties: false,
      },
      FleetEntry: {
        type: 'object',
        properties: {
          entityRef: {
            type: 'string',
          },
          title: {
            type: 'string',
          },
          owner: {
            type: 'string',
          },
          endpoints: {
            type: 'array',
            items: {
              $ref: '#/components/schemas/EndpointHealthSummary',
            },
          },
        },
        required: ['entityRef', 'endpoints'],
        additionalProperties: false,
      },
      FleetResponse: {
        type: 'object',
        properties: {
          items: {
            type: 'array',
            items: {
              $ref: '#/components/schemas/FleetEntry',
            },
          },
          generatedAt: {
            type: 'string',
            format: 'date-time',
          },
        },
        required: ['items'],
        additionalProperties: false,
      },
      PredictRequest: {
        type: 'object',
        properties: {
          environment: {
            type: 'string',
            description:
              'Environment of the endpoint; the primary endpoint when absent.',
          },
          body: {
            description:
              "A V2 infer body or a V1 predict body, as the endpoint's protocol expects.",
          },
        },
        required: ['body'],
        additionalProperties: false,
      },
      PredictResponse: {
        type: 'object',
        properties: {
          status: {
            type: 'number',
            description: 'HTTP status the model answered with.',
          },
          latencyMs: {
            type: 'number',
          },
          body: {
            description: "The model's JSON answer.",
          },
        },
        required: ['status', 'latencyMs', 'body'],
        additionalProperties: false,
      },
    },
  },
} as const;

export const createOpenApiRouter = async (
  options?: Parameters<typeof createValidatedOpenApiRouter>['1'],
) => createValidatedOpenApiRouter<typeof spec>(spec, options);
