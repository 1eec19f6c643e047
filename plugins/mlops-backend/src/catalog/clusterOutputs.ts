/**
 * The cluster an environment root's Terraform state describes, read from the
 * state's `outputs` only: resources (and whatever secrets their attributes
 * hold) are never looked at, and outputs marked `sensitive` are skipped.
 */
export interface StateCluster {
  /** `cluster_name`: the EKS cluster name. */
  name: string;
  /** `cluster_endpoint`: the Kubernetes API server URL. */
  endpoint: string;
  /** `cluster_certificate_authority_data`: base64 CA bundle of the API server. */
  certificateAuthorityData: string;
  /** `aws_region`, when the state has it. */
  region?: string;
  /** `cluster_arn`, when the state has it. */
  arn?: string;
}

/** Output names of the env roots (templates/ml-service/environment/terraform/envs/<env>/outputs.tf). */
export const CLUSTER_OUTPUTS = {
  name: 'cluster_name',
  endpoint: 'cluster_endpoint',
  certificateAuthorityData: 'cluster_certificate_authority_data',
  created: 'cluster_created',
  region: 'aws_region',
  arn: 'cluster_arn',
} as const;

/** Why a state yields no cluster: the log line says this. */
export type StateClusterResult =
  | { kind: 'cluster'; cluster: StateCluster }
  | { kind: 'existing-cluster'; name?: string }
  | { kind: 'invalid'; reason: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The non-sensitive output values of a state document; nothing else is kept. */
function publicOutputs(text: string): Map<string, unknown> | string {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return 'the state is not valid JSON';
  }
  if (!isRecord(document) || !isRecord(document.outputs)) {
    return 'the state has no "outputs" object';
  }
  const outputs = new Map<string, unknown>();
  for (const [name, output] of Object.entries(document.outputs)) {
    if (isRecord(output) && output.sensitive !== true && 'value' in output) {
      outputs.set(name, output.value);
    }
  }
  return outputs;
}

/**
 * The cluster of one environment's state. A state whose `cluster_created`
 * output is false describes a shared, existing cluster the platform registers
 * itself: no entity for it.
 */
export function clusterFromState(text: string): StateClusterResult {
  const outputs = publicOutputs(text);
  if (typeof outputs === 'string') {
    return { kind: 'invalid', reason: outputs };
  }
  const stringOutput = (name: string) => {
    const value = outputs.get(name);
    return typeof value === 'string' && value.trim() !== ''
      ? value.trim()
      : undefined;
  };
  const name = stringOutput(CLUSTER_OUTPUTS.name);
  if (outputs.get(CLUSTER_OUTPUTS.created) === false) {
    return { kind: 'existing-cluster', name };
  }
  const endpoint = stringOutput(CLUSTER_OUTPUTS.endpoint);
  const certificateAuthorityData = stringOutput(
    CLUSTER_OUTPUTS.certificateAuthorityData,
  );
  const missing = [
    !name && CLUSTER_OUTPUTS.name,
    !endpoint && CLUSTER_OUTPUTS.endpoint,
    !certificateAuthorityData && CLUSTER_OUTPUTS.certificateAuthorityData,
  ].filter(Boolean);
  if (!name || !endpoint || !certificateAuthorityData) {
    return {
      kind: 'invalid',
      reason: `the state lacks the non-sensitive string output(s) ${missing.join(
        ', ',
      )}`,
    };
  }
  const region = stringOutput(CLUSTER_OUTPUTS.region);
  const endpointProblem = eksEndpointProblem(endpoint, region);
  if (endpointProblem) {
    return {
      kind: 'invalid',
      reason: `output ${CLUSTER_OUTPUTS.endpoint} ${endpointProblem}`,
    };
  }
  return {
    kind: 'cluster',
    cluster: {
      name,
      endpoint,
      certificateAuthorityData,
      region,
      arn: stringOutput(CLUSTER_OUTPUTS.arn),
    },
  };
}

/** An EKS API server: https://<id>.<shard>.<region>.eks.amazonaws.com (.cn in China). */
const EKS_ENDPOINT_HOST =
  /^[a-z0-9]+\.[a-z0-9]+\.([a-z]{2}(-[a-z]+)+-[0-9])\.eks\.amazonaws\.com(\.cn)?$/;

/**
 * Why an endpoint is not an EKS API server, if it is not. The Kubernetes
 * plugin signs an EKS token with Backstage's AWS credentials for every
 * cluster this module emits, so the state (which whoever runs that
 * repository's Terraform writes) must not send it anywhere else.
 */
function eksEndpointProblem(
  endpoint: string,
  region: string | undefined,
): string | undefined {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return 'is not an https:// URL';
  }
  if (url.protocol !== 'https:') return 'is not an https:// URL';
  const host = EKS_ENDPOINT_HOST.exec(url.hostname.toLowerCase());
  if (!host || url.port || url.username || url.password) {
    return `is not an EKS API server (https://<id>.<shard>.<region>.eks.amazonaws.com): ${url.host}`;
  }
  if (region && host[1] !== region) {
    return `is in ${host[1]}, not in the state's region ${region}`;
  }
  return undefined;
}
