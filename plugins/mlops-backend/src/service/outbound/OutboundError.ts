import { ProbeErrorClass } from '@eks-mlops/backstage-plugin-mlops-common';

/** A failed outbound request, with the class the prober and proxy report. */
export class OutboundError extends Error {
  readonly errorClass: ProbeErrorClass;
  /** For a refusal that configuration can lift: the setting that does, such as `add x to mlops.outbound.allowedHosts`. */
  readonly remedy?: string;

  constructor(errorClass: ProbeErrorClass, message: string, remedy?: string) {
    super(message);
    this.name = 'OutboundError';
    this.errorClass = errorClass;
    this.remedy = remedy;
  }
}

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'ENODATA']);
const REFUSED_CODES = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
]);
const RESET_CODES = new Set([
  'ECONNRESET',
  'EPIPE',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
]);
const TLS_CODES = new Set([
  'EPROTO',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
]);

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : '';
}

/** Maps a socket, DNS, TLS or HTTP parser error (undici, node:net, node:tls) to an error class. */
export function classifyNetworkError(
  error: unknown,
  timedOut: boolean,
): OutboundError {
  if (error instanceof OutboundError && !timedOut) return error;
  const message = error instanceof Error ? error.message : String(error);
  const code = errorCode(error);
  // Once the deadline passed, a reset or abort seen by a stream is its effect.
  if (timedOut || code === 'ETIMEDOUT') {
    return new OutboundError('timeout', 'request timed out');
  }
  if (DNS_CODES.has(code)) return new OutboundError('dns', message);
  if (REFUSED_CODES.has(code)) return new OutboundError('refused', message);
  if (
    TLS_CODES.has(code) ||
    code.startsWith('ERR_TLS_') ||
    code.startsWith('ERR_SSL_') ||
    code.startsWith('CERT_')
  ) {
    return new OutboundError('tls', message);
  }
  if (code.startsWith('HPE_')) {
    return new OutboundError(
      'malformed-body',
      `invalid HTTP response: ${message}`,
    );
  }
  if (RESET_CODES.has(code) || message === 'socket hang up') {
    return new OutboundError('reset', message);
  }
  return new OutboundError('reset', `connection failed: ${message}`);
}
