/**
 * Where an endpoint is reached through the Kubernetes API server's service
 * proxy: `/api/v1/namespaces/<namespace>/services/<service>:<port>/proxy/…`
 * of `cluster`, called with the Kubernetes plugin's configuration and auth.
 *
 * @public
 */
export interface KubernetesServiceTarget {
  /**
   * The cluster's name in the Kubernetes plugin's configuration; absent when
   * the annotation names none, which is accepted only while the plugin
   * configures exactly one cluster.
   */
  cluster?: string;
  /** A DNS-1123 label. */
  namespace: string;
  /** The Service's name, a DNS-1035 label (what Kubernetes requires of Service names). */
  service: string;
  /** The Service port's name (an IANA service name) or number. */
  port: string;
}

/**
 * The port used when a Kubernetes target names none: the port name of the
 * Service the ml-service template generates.
 *
 * @public
 */
export const DEFAULT_KUBERNETES_SERVICE_PORT = 'http';

/**
 * How the `url` of an endpoint reached through the Kubernetes service proxy
 * begins: `k8s:[<cluster>/]<namespace>/<service>:<port>`. It identifies the
 * endpoint (a changed target counts as a moved endpoint) and is shown to
 * people; it is never fetched.
 *
 * @public
 */
export const KUBERNETES_ENDPOINT_URL_PREFIX = 'k8s:';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const IANA_SVC_NAME = /^(?=.*[a-z])[a-z0-9]+(-[a-z0-9]+)*$/;
const CLUSTER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/**
 * Why a Kubernetes target is invalid, one sentence per problem; empty when valid.
 *
 * @public
 */
export function kubernetesServiceTargetProblems(
  target: KubernetesServiceTarget,
): string[] {
  const problems: string[] = [];
  const { cluster, namespace, service, port } = target;
  if (cluster !== undefined && !CLUSTER_NAME.test(cluster)) {
    problems.push(
      `cluster "${cluster}" is not a cluster name (letters, digits, '.', '_' and '-', at most 100, starting with a letter or digit)`,
    );
  }
  if (namespace.length > 63 || !DNS1123_LABEL.test(namespace)) {
    problems.push(
      `namespace "${namespace}" is not a DNS-1123 label (lower-case letters, digits and '-', at most 63, starting and ending with a letter or digit)`,
    );
  }
  if (service.length > 63 || !DNS1035_LABEL.test(service)) {
    problems.push(
      `service "${service}" is not a DNS-1035 label (lower-case letters, digits and '-', at most 63, starting with a letter and ending with a letter or digit)`,
    );
  }
  if (/^[0-9]+$/.test(port)) {
    const number = Number(port);
    if (number < 1 || number > 65535) {
      problems.push(`port ${port} is not between 1 and 65535`);
    }
  } else if (port.length > 15 || !IANA_SVC_NAME.test(port)) {
    problems.push(
      `port "${port}" is neither a port number nor a port name (lower-case letters, digits and single '-', at most 15, with a letter)`,
    );
  }
  return problems;
}

/**
 * Parses a Kubernetes target annotation,
 * `[<cluster>/]<namespace>/<service>[:<port>]`, and validates its names.
 * Throws an `Error` saying what is wrong with the value.
 *
 * @public
 */
export function parseKubernetesServiceTarget(
  value: string,
): KubernetesServiceTarget {
  const text = value.trim();
  const parts = text.split('/');
  if (parts.length < 2 || parts.length > 3) {
    throw new Error(
      `"${text}" is not a Kubernetes target; expected [<cluster>/]<namespace>/<service>[:<port>]`,
    );
  }
  const cluster = parts.length === 3 ? parts[0] : undefined;
  const [namespace, serviceAndPort] = parts.slice(-2);
  const colon = serviceAndPort.indexOf(':');
  const target: KubernetesServiceTarget = {
    ...(cluster !== undefined ? { cluster } : {}),
    namespace,
    service: colon < 0 ? serviceAndPort : serviceAndPort.slice(0, colon),
    port:
      colon < 0
        ? DEFAULT_KUBERNETES_SERVICE_PORT
        : serviceAndPort.slice(colon + 1),
  };
  const problems = kubernetesServiceTargetProblems(target);
  if (problems.length > 0) {
    throw new Error(
      `invalid Kubernetes target "${text}": ${problems.join('; ')}`,
    );
  }
  return target;
}

/**
 * The canonical text of a target, `[<cluster>/]<namespace>/<service>:<port>`.
 *
 * @public
 */
export function formatKubernetesServiceTarget(
  target: KubernetesServiceTarget,
): string {
  const cluster = target.cluster ? `${target.cluster}/` : '';
  return `${cluster}${target.namespace}/${target.service}:${target.port}`;
}

/**
 * Whether an endpoint URL stands for a Kubernetes service proxy target
 * (see {@link KUBERNETES_ENDPOINT_URL_PREFIX}).
 *
 * @public
 */
export function isKubernetesEndpointUrl(url: string): boolean {
  return url.startsWith(KUBERNETES_ENDPOINT_URL_PREFIX);
}

/**
 * How to show an endpoint's location to people: the URL, or
 * `k8s: <cluster>/<namespace>/<service>:<port>` for one reached through the
 * Kubernetes service proxy.
 *
 * @public
 */
export function describeEndpointLocation(url: string): string {
  return isKubernetesEndpointUrl(url)
    ? `k8s: ${url.slice(KUBERNETES_ENDPOINT_URL_PREFIX.length)}`
    : url;
}
