import {
  MOTO_SKIPPED_TYPES,
  skipKeyOf,
  withoutInstanceKeys,
} from './terraformApplySkipList';

/*
 * The pure parts of verify's apply against moto: which AWS endpoints the
 * configuration needs, what to leave out (the skip list and what depends on
 * it), and what `terraform plan -json` / `apply -json` reported.
 */

/**
 * The provider `endpoints` key of each AWS service a resource type belongs
 * to, by type-name prefix (longest first wins). `null`: the type calls no AWS
 * API. A type matching none fails the check, so a new service is never sent
 * to the real AWS.
 */
const SERVICE_OF_TYPE_PREFIX: ReadonlyArray<[string, string | null]> = [
  ['aws_partition', null],
  ['aws_region', null],
  ['aws_default_tags', null],
  ['aws_iam_policy_document', null],
  ['aws_caller_identity', 'sts'],
  ['aws_cloudwatch_log_', 'logs'],
  ['aws_cloudwatch_event_', 'events'],
  ['aws_cloudwatch_metric_alarm', 'cloudwatch'],
  ['aws_eks_', 'eks'],
  ['aws_ecr_', 'ecr'],
  ['aws_iam_', 'iam'],
  ['aws_kms_', 'kms'],
  ['aws_s3_', 's3'],
  ['aws_sqs_', 'sqs'],
  ['aws_ssm_', 'ssm'],
  ['aws_lb', 'elbv2'],
  ['aws_alb', 'elbv2'],
  ['aws_autoscaling_', 'autoscaling'],
  ['aws_acm_', 'acm'],
  ['aws_route53_', 'route53'],
  ['aws_vpc', 'ec2'],
  ['aws_subnet', 'ec2'],
  ['aws_eip', 'ec2'],
  ['aws_nat_gateway', 'ec2'],
  ['aws_internet_gateway', 'ec2'],
  ['aws_egress_only_internet_gateway', 'ec2'],
  ['aws_route', 'ec2'],
  ['aws_default_', 'ec2'],
  ['aws_security_group', 'ec2'],
  ['aws_network_', 'ec2'],
  ['aws_launch_template', 'ec2'],
  ['aws_availability_zones', 'ec2'],
  ['aws_flow_log', 'ec2'],
  ['aws_ami', 'ec2'],
  ['aws_instance', 'ec2'],
  ['aws_ec2_', 'ec2'],
];

/** Resource and data source types declared in Terraform sources (`resource "aws_x" "name"`). */
export function declaredTypes(sources: string[]): Set<string> {
  const types = new Set<string>();
  for (const text of sources) {
    for (const match of text.matchAll(
      /^\s*(?:resource|data)\s+"([a-z0-9_]+)"/gm,
    )) {
      types.add(match[1]);
    }
  }
  return types;
}

/**
 * The `endpoints` keys the given AWS types need (always `sts`, which the
 * provider asks for the account ID). Throws naming every unknown AWS type.
 */
export function endpointServices(types: Iterable<string>): string[] {
  const services = new Set(['sts']);
  const unknown: string[] = [];
  for (const type of types) {
    if (!type.startsWith('aws_')) {
      continue;
    }
    const match = SERVICE_OF_TYPE_PREFIX.filter(([prefix]) =>
      type.startsWith(prefix),
    ).sort((a, b) => b[0].length - a[0].length)[0];
    if (!match) {
      unknown.push(type);
    } else if (match[1]) {
      services.add(match[1]);
    }
  }
  if (unknown.length > 0) {
    throw new Error(
      `the apply against moto does not know the AWS service of ${unknown
        .sort()
        .join(
          ', ',
        )}: add each type's prefix and provider endpoints key to SERVICE_OF_TYPE_PREFIX in tools/ml-service/src/verify/terraformApplyPlan.ts`,
    );
  }
  return [...services].sort();
}

/** The provider override pointing every service at moto (a `*_override.tf`, merged into the root's `provider "aws"`). */
export function providerOverride(
  endpoint: string,
  services: string[],
  credentials: { accessKeyId: string; secretAccessKey: string },
): string {
  const width = Math.max(...services.map(s => s.length));
  return [
    '# Written by `ml-service:verify` into a temporary copy for its apply against moto;',
    '# never part of the generated repository.',
    'provider "aws" {',
    `  access_key                  = "${credentials.accessKeyId}"`,
    `  secret_key                  = "${credentials.secretAccessKey}"`,
    '  skip_credentials_validation = true',
    '  skip_metadata_api_check     = true',
    '  s3_use_path_style           = true',
    '',
    '  endpoints {',
    ...services.map(s => `    ${s.padEnd(width)} = "${endpoint}"`),
    '  }',
    '}',
    '',
  ].join('\n');
}

/** Extra `-backend-config` file: the S3 backend's state (and lock file) in moto. */
export function backendOverride(
  endpoint: string,
  credentials: { accessKeyId: string; secretAccessKey: string },
): string {
  return [
    `endpoints = { s3 = "${endpoint}", sts = "${endpoint}", iam = "${endpoint}" }`,
    'use_path_style              = true',
    `access_key                  = "${credentials.accessKeyId}"`,
    `secret_key                  = "${credentials.secretAccessKey}"`,
    'skip_credentials_validation = true',
    'skip_requesting_account_id  = true',
    'skip_metadata_api_check     = true',
    '',
  ].join('\n');
}

/** Edges of `terraform graph` (DOT): `"a" -> "b"` means a depends on b. */
export function parseGraph(dot: string): {
  nodes: Set<string>;
  dependsOn: Map<string, Set<string>>;
} {
  const nodes = new Set<string>();
  const dependsOn = new Map<string, Set<string>>();
  for (const match of dot.matchAll(/^\s*"([^"]+)"\s*(?:->\s*"([^"]+)")?/gm)) {
    const [, from, to] = match;
    if (from.startsWith('cluster_')) {
      continue; // subgraph "cluster_module.x"
    }
    nodes.add(from);
    if (to) {
      nodes.add(to);
      if (!dependsOn.has(from)) {
        dependsOn.set(from, new Set());
      }
      dependsOn.get(from)!.add(to);
    }
  }
  return { nodes, dependsOn };
}

export interface ApplySelection {
  /** Config addresses of skip-listed types. */
  skipped: Set<string>;
  /** Config addresses left out because they depend on a skipped one, with the skipped one they reach. */
  dependents: Map<string, string>;
}

/** What to leave out: the skip-listed resources and everything that depends on them. */
export function selectSkipped(
  graph: ReturnType<typeof parseGraph>,
  skipList: Readonly<Record<string, string>> = MOTO_SKIPPED_TYPES,
): ApplySelection {
  const skipped = new Set(
    [...graph.nodes].filter(node => skipKeyOf(node) in skipList),
  );
  const dependents = new Map<string, string>();
  const reaches = (
    node: string,
    seen = new Set<string>(),
  ): string | undefined => {
    for (const next of graph.dependsOn.get(node) ?? []) {
      if (skipped.has(next)) {
        return next;
      }
      if (!seen.has(next)) {
        seen.add(next);
        const found = reaches(next, seen);
        if (found) {
          return found;
        }
      }
    }
    return undefined;
  };
  for (const node of graph.nodes) {
    if (!skipped.has(node)) {
      const via = reaches(node);
      if (via) {
        dependents.set(node, via);
      }
    }
  }
  return { skipped, dependents };
}

/**
 * The `-target`s: every planned instance that is neither skipped nor a
 * dependent. Instance addresses, since a target without the module's
 * instance key (`module.eks.x`) matches nothing in a module with `count`.
 */
export function targetsOf(
  plannedCreates: string[],
  selection: ApplySelection,
): string[] {
  return plannedCreates.filter(addr => {
    const config = withoutInstanceKeys(addr);
    return !selection.skipped.has(config) && !selection.dependents.has(config);
  });
}

interface HookResource {
  addr: string;
  resource_type: string;
}

/** One line of `terraform plan|apply -json` that matters here. */
type StreamMessage =
  | {
      type: 'planned_change';
      change: { resource: HookResource; action: string };
    }
  | {
      type: 'apply_complete';
      hook: { resource: HookResource; action: string };
    }
  | { type: 'apply_errored'; hook: { resource: HookResource; action: string } }
  | {
      type: 'diagnostic';
      diagnostic: {
        severity: string;
        summary: string;
        detail?: string;
        address?: string;
      };
    };

function isDataAddress(addr: string): boolean {
  return /(^|\.)data\./.test(addr);
}

export interface StreamSummary {
  /** Managed resource instances planned for creation. */
  plannedCreates: string[];
  /** Managed resource instances created. */
  created: string[];
  /** Errors: address (when Terraform names one) and text. */
  errors: Array<{ address?: string; message: string }>;
}

/** Reads a `terraform plan|apply -json` stream (one JSON document per line). */
export function readStream(output: string): StreamSummary {
  const summary: StreamSummary = {
    plannedCreates: [],
    created: [],
    errors: [],
  };
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) {
      continue;
    }
    let message: StreamMessage;
    try {
      message = JSON.parse(line);
    } catch {
      continue;
    }
    if (message.type === 'planned_change') {
      const { resource, action } = message.change;
      if (action === 'create' && !isDataAddress(resource.addr)) {
        summary.plannedCreates.push(resource.addr);
      }
    } else if (message.type === 'apply_complete') {
      const { resource, action } = message.hook;
      if (action === 'create' && !isDataAddress(resource.addr)) {
        summary.created.push(resource.addr);
      }
    } else if (
      message.type === 'diagnostic' &&
      message.diagnostic.severity === 'error'
    ) {
      const { address, summary: title, detail } = message.diagnostic;
      summary.errors.push({
        address,
        message: [title, detail].filter(Boolean).join(': '),
      });
    }
  }
  return summary;
}

export interface ApplyCounts {
  created: number;
  /** Instances of skip-listed types, by skip-list key. */
  skipped: Map<string, number>;
  /** Instances left out because they depend on a skipped one, by config address. */
  dependents: Map<string, number>;
  /** Instances planned but neither created nor skipped. */
  missing: string[];
}

/** Accounts for every planned instance: created, skipped (by type), left out as a dependent, or missing. */
export function countInstances(
  plannedCreates: string[],
  created: string[],
  selection: ApplySelection,
): ApplyCounts {
  const made = new Set(created);
  const counts: ApplyCounts = {
    created: made.size,
    skipped: new Map(),
    dependents: new Map(),
    missing: [],
  };
  const bump = (map: Map<string, number>, key: string) =>
    map.set(key, (map.get(key) ?? 0) + 1);
  for (const addr of plannedCreates) {
    const config = withoutInstanceKeys(addr);
    if (made.has(addr)) {
      continue;
    }
    if (selection.skipped.has(config)) {
      bump(counts.skipped, skipKeyOf(addr));
    } else if (selection.dependents.has(config)) {
      bump(counts.dependents, config);
    } else {
      counts.missing.push(addr);
    }
  }
  return counts;
}

/** `created 68; skipped 9: aws_eks_access_entry 2, …; not applied, they depend on skipped ones: module.eks.aws_eks_node_group.this 1`. */
export function formatCounts(counts: ApplyCounts, ms: number): string {
  const list = (map: Map<string, number>) =>
    [...map.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, n]) => `${key} ${n}`)
      .join(', ');
  const total = (map: Map<string, number>) =>
    [...map.values()].reduce((a, b) => a + b, 0);
  const parts = [`created ${counts.created}`];
  parts.push(
    counts.skipped.size > 0
      ? `skipped ${total(counts.skipped)} (${list(counts.skipped)})`
      : 'skipped 0',
  );
  if (counts.dependents.size > 0) {
    parts.push(
      `not applied as they depend on skipped ones ${total(
        counts.dependents,
      )} (${list(counts.dependents)})`,
    );
  }
  parts.push(`${(ms / 1000).toFixed(1)} s`);
  return parts.join('; ');
}
