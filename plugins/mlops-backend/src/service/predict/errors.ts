import { CustomErrorBase } from '@backstage/errors';

/** The request body is larger than `mlops.predict.maxRequestBytes` (413). */
export class PayloadTooLargeError extends CustomErrorBase {
  name = 'PayloadTooLargeError' as const;
  statusCode = 413;
}

/** The model endpoint failed to give a usable answer (502). */
export class BadGatewayError extends CustomErrorBase {
  name = 'BadGatewayError' as const;
  statusCode = 502;
}

/** The model endpoint did not answer within `mlops.predict.timeout` (504). */
export class GatewayTimeoutError extends CustomErrorBase {
  name = 'GatewayTimeoutError' as const;
  statusCode = 504;
}
