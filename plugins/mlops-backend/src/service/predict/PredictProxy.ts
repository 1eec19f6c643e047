import {
  InferenceEndpoint,
  PredictResponse,
} from '@eks-mlops/backstage-plugin-mlops-common';
import { OutboundClient, OutboundError } from '../outbound';
import {
  BadGatewayError,
  GatewayTimeoutError,
  PayloadTooLargeError,
} from './errors';

/** The protocol path an inference request goes to. */
export function inferencePath(endpoint: InferenceEndpoint): string {
  const model = encodeURIComponent(endpoint.modelName);
  return endpoint.protocol === 'v1'
    ? `/v1/models/${model}:predict`
    : `/v2/models/${model}/infer`;
}

function parseAnswer(status: number, body: Buffer): unknown {
  if (body.length === 0) return null;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new BadGatewayError(
      `the model answered HTTP ${status} with a body that is not JSON`,
    );
  }
}

function toGatewayError(error: OutboundError): Error {
  const message = `the model endpoint did not answer: ${error.message}`;
  if (error.errorClass === 'timeout') return new GatewayTimeoutError(message);
  if (error.errorClass === 'blocked') {
    return new BadGatewayError(
      `the model endpoint is refused by the outbound guard (${error.message}); ` +
        'an administrator can allow it with mlops.outbound.allowedHosts or mlops.outbound.allowPrivateNetworks',
    );
  }
  return new BadGatewayError(message);
}

/**
 * Forwards one inference body to a model endpoint through the guarded client
 * (which enforces the size and time limits) and returns the model's answer.
 */
export class PredictProxy {
  constructor(
    private readonly client: OutboundClient,
    private readonly maxRequestBytes: number,
  ) {}

  async forward(
    endpoint: InferenceEndpoint,
    body: unknown,
  ): Promise<PredictResponse> {
    const payload = JSON.stringify(body);
    const size = Buffer.byteLength(payload);
    if (size > this.maxRequestBytes) {
      throw new PayloadTooLargeError(
        `body is ${size} bytes; the limit is ${this.maxRequestBytes} (mlops.predict.maxRequestBytes)`,
      );
    }
    const url = `${endpoint.url.replace(/\/+$/, '')}${inferencePath(endpoint)}`;
    try {
      const response = await this.client.request({
        url,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
        },
        body: payload,
      });
      return {
        status: response.status,
        latencyMs: response.latencyMs,
        body: parseAnswer(response.status, response.body),
      };
    } catch (error) {
      if (error instanceof OutboundError) throw toGatewayError(error);
      throw error;
    }
  }
}
