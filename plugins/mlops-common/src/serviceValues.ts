/**
 * One value of the ml-service template that breaks a rule spanning two
 * fields: the field to change, and why.
 *
 * @public
 */
export interface ServiceValueProblem {
  /** The parameter to change (`existingTerraformRoleArns.prod` for a map's entry). */
  field: string;
  /** What is wrong with it and how to fix it, to follow the field's name. */
  message: string;
}

/**
 * The ml-service template's values by parameter name, as its steps see them
 * (each optional parameter's default applied).
 *
 * @public
 */
export type ServiceValues = Readonly<Record<string, unknown>>;

const CPU_UNITS: Record<string, number> = { '': 1000, m: 1 };
const MEMORY_UNITS: Record<string, number> = { Mi: 1, Gi: 1024 };

/** A Kubernetes quantity in the smallest of `units`; undefined when it is not one. */
function quantity(
  value: unknown,
  units: Record<string, number>,
): number | undefined {
  const match = /^([0-9.]+)([A-Za-z]*)$/.exec(String(value ?? ''));
  if (!match || !(match[2] in units)) {
    return undefined;
  }
  return Number(match[1]) * units[match[2]];
}

function whole(value: unknown): number | undefined {
  return value === undefined || value === '' ? undefined : Number(value);
}

const ROLE_ACCOUNT = /^arn:[^:]+:iam::([0-9]{12}):role\//;
const CERTIFICATE_PLACE = /^arn:[^:]+:acm:([^:]+):([0-9]{12}):certificate\//;

/**
 * A load balancer serves only certificates of its own account and region, so
 * a certificate elsewhere fails the Ingress at the first deployment.
 */
function certificateProblems(values: ServiceValues): ServiceValueProblem[] {
  const [, region, account] =
    CERTIFICATE_PLACE.exec(String(values.certificateArn ?? '')) ?? [];
  const problems: ServiceValueProblem[] = [];
  if (region && values.awsRegion && region !== values.awsRegion) {
    problems.push({
      field: 'certificateArn',
      message: `must be a certificate in the service's region ${values.awsRegion}, not ${region}: a load balancer serves only certificates of its own region (request or import one in ${values.awsRegion})`,
    });
  }
  if (
    account &&
    values.awsAccountId &&
    account !== String(values.awsAccountId)
  ) {
    problems.push({
      field: 'certificateArn',
      message: `must be a certificate in the service's account ${values.awsAccountId}, not ${account}: a load balancer serves only certificates of its own account`,
    });
  }
  return problems;
}

/** DNS's limits on a label and on a whole name. */
const MAX_LABEL = 63;
const MAX_NAME = 253;

/**
 * The DNS name one environment's Ingress serves.
 *
 * @public
 */
export interface EnvironmentHost {
  environment: string;
  host: string;
}

/**
 * The DNS name each environment's Ingress serves: `<environment>-<host>` for
 * every environment but the last, `host` for the last; none without a host.
 *
 * @public
 */
export function environmentHosts(values: ServiceValues): EnvironmentHost[] {
  const host = typeof values.host === 'string' ? values.host : '';
  const environments = Array.isArray(values.environments)
    ? values.environments.map(String)
    : [];
  if (!host) return [];
  return environments.map((environment, index) => ({
    environment,
    host: index === environments.length - 1 ? host : `${environment}-${host}`,
  }));
}

/**
 * Every environment but the last serves `<environment>-<host>`, which must
 * still be a DNS name: the environment with the longest name tells.
 */
function hostProblems(values: ServiceValues): ServiceValueProblem[] {
  const prefixed = environmentHosts(values).slice(0, -1);
  if (prefixed.length === 0) return [];
  const { environment: longest, host: name } = prefixed.reduce((a, b) =>
    b.host.length > a.host.length ? b : a,
  );
  const label = name.split('.')[0];
  if (label.length > MAX_LABEL) {
    return [
      {
        field: 'host',
        message: `leaves the ${longest} environment the name ${name}, whose first label has ${
          label.length
        } characters, over DNS's ${MAX_LABEL}: shorten the first label of host to at most ${
          MAX_LABEL - longest.length - 1
        } characters`,
      },
    ];
  }
  if (name.length > MAX_NAME) {
    return [
      {
        field: 'host',
        message: `leaves the ${longest} environment the name ${name}, of ${
          name.length
        } characters, over DNS's ${MAX_NAME}: shorten host to at most ${
          MAX_NAME - longest.length - 1
        } characters`,
      },
    ];
  }
  return [];
}

const IPV4_CIDR =
  /^([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\/([0-9]{1,2})$/;

/** The network of an IPv4 CIDR (`10.1.2.3/24` → `10.1.2.0/24`); undefined when it is not one. */
function ipv4Network(cidr: string): string | undefined {
  const match = IPV4_CIDR.exec(cidr);
  if (!match) return undefined;
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some(octet => octet > 255) || prefix > 32) return undefined;
  const address = octets.reduce((sum, octet) => sum * 256 + octet, 0);
  const network = address - (address % 2 ** (32 - prefix));
  const networkOctets = [24, 16, 8, 0].map(
    shift => Math.floor(network / 2 ** shift) % 256,
  );
  return `${networkOctets.join('.')}/${prefix}`;
}

/** The standard labels of GitHub-hosted runners, whose addresses are in no fixed range. */
const GITHUB_HOSTED_RUNNER =
  /^(ubuntu|windows|macos)-(latest|slim|[0-9]+(\.[0-9]+)?)(-[a-z0-9]+)?$/;
const DEFAULT_DEPLOY_RUNNER = 'ubuntu-24.04';

/**
 * Source ranges restrict a public load balancer, and the deploy job's smoke
 * test calls the model through it, so its runner must be inside them.
 */
function inboundRangeProblems(values: ServiceValues): ServiceValueProblem[] {
  const ranges = Array.isArray(values.inboundCidrs)
    ? values.inboundCidrs.map(String)
    : [];
  if (ranges.length === 0) return [];
  const problems: ServiceValueProblem[] = [];
  if (values.endpointVisibility !== 'public') {
    problems.push({
      field: 'inboundCidrs',
      message:
        'apply to a public endpoint only: an internal load balancer is reachable from the VPC and its peered networks alone. Leave inboundCidrs empty, or set endpointVisibility to public',
    });
  }
  for (const range of ranges) {
    const network = ipv4Network(range);
    if (network && network !== range) {
      problems.push({
        field: 'inboundCidrs',
        message: `has ${range}, whose host bits are set: write its network, ${network}`,
      });
    }
  }
  const runner = String(values.deployRunsOn || DEFAULT_DEPLOY_RUNNER);
  if (GITHUB_HOSTED_RUNNER.test(runner)) {
    problems.push({
      field: 'deployRunsOn',
      message: `is a GitHub-hosted runner (${runner}), whose addresses are in no fixed range, so the deploy's smoke test could not reach a load balancer that admits only inboundCidrs: give the label of a runner inside those ranges (self-hosted, or a larger GitHub-hosted runner with a static range), or leave inboundCidrs empty`,
    });
  }
  return problems;
}

/**
 * The existing CI roles that Terraform runs with, by field: the plan role and
 * each environment's Terraform role. (The training role only reads data, which
 * may live in another account.)
 */
function terraformRoleFields(values: ServiceValues): Array<[string, unknown]> {
  const terraformRoles = values.existingTerraformRoleArns;
  return [
    ['existingPlanRoleArn', values.existingPlanRoleArn],
    ...Object.entries(
      terraformRoles && typeof terraformRoles === 'object'
        ? terraformRoles
        : {},
    ).map(([env, arn]): [string, unknown] => [
      `existingTerraformRoleArns.${env}`,
      arn,
    ]),
  ];
}

/**
 * The ml-service template's rules that a JSON schema cannot state, most of
 * them spanning two fields: the scaffolder's form and its REST API check each
 * field alone, and by pattern only. The template's first step
 * (`mlops:ml-service:validate`) applies them before anything is created, and
 * `yarn ml-service:render` before it renders. Each problem names the field to change and how.
 *
 * @public
 */
export function serviceValueProblems(
  values: ServiceValues,
): ServiceValueProblem[] {
  const problems: ServiceValueProblem[] = [];
  const atLeast = (
    high: string,
    low: string,
    read: (v: unknown) => number | undefined,
  ) => {
    const h = read(values[high]);
    const l = read(values[low]);
    if (h !== undefined && l !== undefined && h < l) {
      problems.push({
        field: high,
        message: `must be at least ${low} (${JSON.stringify(
          values[high],
        )} < ${JSON.stringify(values[low])}): raise ${high} or lower ${low}`,
      });
    }
  };
  atLeast('nodeMaxSize', 'nodeMinSize', whole);
  atLeast('replicasMax', 'replicasMin', whole);
  atLeast('cpuLimit', 'cpuRequest', v => quantity(v, CPU_UNITS));
  atLeast('memoryLimit', 'memoryRequest', v => quantity(v, MEMORY_UNITS));
  if (
    values.certificateArn &&
    values.endpointVisibility === 'public' &&
    !values.host
  ) {
    problems.push({
      field: 'host',
      message:
        'is required when a certificate is set for a public endpoint: give the DNS name the certificate covers, or leave certificateArn empty',
    });
  }
  problems.push(
    ...hostProblems(values),
    ...certificateProblems(values),
    ...inboundRangeProblems(values),
  );
  if (values.ciRoles === 'existing') {
    for (const [field, arn] of terraformRoleFields(values)) {
      const account = ROLE_ACCOUNT.exec(String(arn ?? ''))?.[1];
      if (account && account !== String(values.awsAccountId)) {
        problems.push({
          field,
          message: `must be a role in the service's account ${values.awsAccountId}, not ${account}: Terraform refuses any other account (allowed_account_ids)`,
        });
      }
    }
  }
  return problems;
}
