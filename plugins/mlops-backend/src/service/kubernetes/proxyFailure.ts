import { z } from 'zod/v3';
import { OutboundResponse, parseJsonBody } from '../outbound';

/**
 * An answer to a service proxy call that the Kubernetes API server or the
 * Kubernetes plugin gave itself: the model was not reached.
 */
export interface ProxyFailure {
  /**
   * The API server found the Service but nothing behind it answered (no
   * ready endpoint, a pod that refused): the model is down. Otherwise there
   * is no model to judge (no such Service: not deployed yet), or the call was
   * refused or failed on its way (credentials, RBAC, the cluster
   * unreachable).
   */
  modelUnreachable: boolean;
  /** Who answered, with what, and what to check. */
  message: string;
}

/** The body the Kubernetes API answers its own errors with. */
const kubernetesStatusSchema = z.object({
  kind: z.literal('Status'),
  status: z.literal('Failure'),
  message: z.string(),
  reason: z.string().optional(),
  code: z.number(),
});

/** The body Backstage's error handler answers with (`serializeError`). */
const backstageErrorSchema = z.object({
  error: z.object({ name: z.string(), message: z.string() }),
});

/** The API server code that means nothing behind the Service answered. */
const MODEL_UNREACHABLE_CODE = 503;

const STATUS_HINTS: Record<number, string> = {
  401: "the cluster does not accept the Kubernetes plugin's credentials for it (on EKS: an access entry for Backstage's IAM role)",
  403: "Backstage's identity in the cluster needs get and create on services/proxy for this Service (RBAC)",
  404: 'the Service does not exist: not deployed yet, or the target names another namespace or Service',
  503: 'no ready pod behind the Service answered',
};

function withHint(message: string, code: number): string {
  const hint = STATUS_HINTS[code];
  return hint ? `${message}; ${hint}` : message;
}

/**
 * The failure a service proxy answer stands for, or undefined when the
 * answer is the model's: a success, an answer from another origin (a
 * redirect the model gave), or a body that is neither a Kubernetes `Status`
 * nor a Backstage error.
 */
export function proxyFailureOf(
  response: Pick<OutboundResponse, 'status' | 'body' | 'url'>,
  proxyOrigin: string,
): ProxyFailure | undefined {
  if (response.status < 400) return undefined;
  if (new URL(response.url).origin !== proxyOrigin) return undefined;
  const body = parseJsonBody(response.body);
  const status = kubernetesStatusSchema.safeParse(body);
  if (status.success) {
    const { code, reason, message } = status.data;
    const answered = `the Kubernetes API server answered ${code}${
      reason ? ` ${reason}` : ''
    }: ${message}`;
    return {
      modelUnreachable: code === MODEL_UNREACHABLE_CODE,
      message: withHint(answered, code),
    };
  }
  const error = backstageErrorSchema.safeParse(body);
  if (error.success) {
    const { name, message } = error.data.error;
    return {
      modelUnreachable: false,
      message: `the Kubernetes plugin answered ${response.status}: ${name}: ${message}`,
    };
  }
  return undefined;
}
