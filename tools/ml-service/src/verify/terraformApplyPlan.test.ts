import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  countInstances,
  declaredTypes,
  endpointServices,
  formatCounts,
  parseGraph,
  providerOverride,
  readStream,
  selectSkipped,
  targetsOf,
} from './terraformApplyPlan';
import { readRootSettings, readScalars, verdict } from './terraformApply';
import { skipKeyOf, withoutInstanceKeys } from './terraformApplySkipList';

/** A `terraform graph` output in the shape Terraform 1.11 prints. */
const GRAPH = `digraph G {
  rankdir = "RL";
  node [shape = rect, fontname = "sans-serif"];
  "data.aws_partition.current" [label="data.aws_partition.current"];
  subgraph "cluster_module.eks" {
    label = "module.eks"
    "module.eks.data.aws_eks_addon_version.this" [label="data.aws_eks_addon_version.this"];
    "module.eks.aws_eks_addon.before_compute" [label="aws_eks_addon.before_compute"];
    "module.eks.aws_eks_cluster.this" [label="aws_eks_cluster.this"];
    "module.eks.aws_eks_node_group.this" [label="aws_eks_node_group.this"];
    "module.eks.aws_eks_access_entry.this" [label="aws_eks_access_entry.this"];
    "module.eks.aws_eks_access_policy_association.this" [label="aws_eks_access_policy_association.this"];
  }
  "module.eks.data.aws_eks_addon_version.this" -> "module.eks.aws_eks_cluster.this";
  "module.eks.aws_eks_addon.before_compute" -> "module.eks.data.aws_eks_addon_version.this";
  "module.eks.aws_eks_node_group.this" -> "module.eks.aws_eks_addon.before_compute";
  "module.eks.aws_eks_access_entry.this" -> "module.eks.aws_eks_cluster.this";
  "module.eks.aws_eks_access_policy_association.this" -> "module.eks.aws_eks_access_entry.this";
}`;

const SKIP = {
  aws_eks_access_entry: 'no access entries',
  aws_eks_addon: 'no add-ons',
  'data.aws_eks_addon_version': 'no add-on versions',
};

describe('apply against moto: what is applied', () => {
  it('maps addresses to skip-list keys and config addresses', () => {
    expect(skipKeyOf('module.eks[0].aws_eks_addon.this["vpc-cni"]')).toBe(
      'aws_eks_addon',
    );
    expect(skipKeyOf('module.eks.data.aws_eks_addon_version.this')).toBe(
      'data.aws_eks_addon_version',
    );
    expect(skipKeyOf('data.aws_eks_cluster.existing[0]')).toBe(
      'data.aws_eks_cluster',
    );
    expect(skipKeyOf('module.data.aws_s3_bucket.x')).toBe('aws_s3_bucket');
    expect(
      withoutInstanceKeys('module.vpc[0].aws_route.nat["a]\\"b"].x[2]'),
    ).toBe('module.vpc.aws_route.nat.x');
  });

  it('leaves out skip-listed types and everything that depends on them, transitively', () => {
    const selection = selectSkipped(parseGraph(GRAPH), SKIP);
    expect([...selection.skipped].sort()).toEqual([
      'module.eks.aws_eks_access_entry.this',
      'module.eks.aws_eks_addon.before_compute',
      'module.eks.data.aws_eks_addon_version.this',
    ]);
    expect(Object.fromEntries(selection.dependents)).toEqual({
      'module.eks.aws_eks_access_policy_association.this':
        'module.eks.aws_eks_access_entry.this',
      'module.eks.aws_eks_node_group.this':
        'module.eks.aws_eks_addon.before_compute',
    });
    const planned = [
      'module.eks[0].aws_eks_cluster.this',
      'module.eks[0].aws_eks_node_group.this',
      'module.eks[0].aws_eks_access_entry.this["deploy"]',
      'module.eks[0].aws_eks_access_entry.this["admin"]',
      'module.eks[0].aws_eks_access_policy_association.this["deploy"]',
      'module.eks[0].aws_eks_addon.before_compute["vpc-cni"]',
    ];
    // Instance addresses: `module.eks.x` would match nothing in a module with count.
    expect(targetsOf(planned, selection)).toEqual([
      'module.eks[0].aws_eks_cluster.this',
    ]);

    const counts = countInstances(
      [...planned, 'module.s3.aws_s3_bucket.this["data"]'],
      ['module.eks[0].aws_eks_cluster.this'],
      selection,
    );
    expect(counts.created).toBe(1);
    expect(Object.fromEntries(counts.skipped)).toEqual({
      aws_eks_access_entry: 2,
      aws_eks_addon: 1,
    });
    expect(Object.fromEntries(counts.dependents)).toEqual({
      'module.eks.aws_eks_access_policy_association.this': 1,
      'module.eks.aws_eks_node_group.this': 1,
    });
    expect(counts.missing).toEqual(['module.s3.aws_s3_bucket.this["data"]']);
    expect(formatCounts(counts, 12_345)).toBe(
      'created 1; skipped 3 (aws_eks_access_entry 2, aws_eks_addon 1); not applied as they depend on skipped ones 2 (module.eks.aws_eks_access_policy_association.this 1, module.eks.aws_eks_node_group.this 1); 12.3 s',
    );
  });

  it('points every service the configuration uses at moto, and refuses a type whose service it does not know', () => {
    const types = declaredTypes([
      'resource "aws_vpc" "this" {\n}\n  data "aws_partition" "p" {}\nresource "aws_eks_cluster" "c" {}',
      'resource "aws_cloudwatch_log_group" "g" {}\nresource "terraform_data" "x" {}\n# resource "aws_sqs_queue" "q" {}',
    ]);
    expect([...types].sort()).toEqual([
      'aws_cloudwatch_log_group',
      'aws_eks_cluster',
      'aws_partition',
      'aws_vpc',
      'terraform_data',
    ]);
    const services = endpointServices(types);
    expect(services).toEqual(['ec2', 'eks', 'logs', 'sts']);
    expect(
      providerOverride('http://127.0.0.1:5000', services, {
        accessKeyId: 'a',
        secretAccessKey: 's',
      }),
    ).toContain('    logs = "http://127.0.0.1:5000"');
    expect(() =>
      endpointServices([
        'aws_vpc',
        'aws_sagemaker_domain',
        'aws_batch_job_queue',
      ]),
    ).toThrow(
      /does not know the AWS service of aws_batch_job_queue, aws_sagemaker_domain: add .* SERVICE_OF_TYPE_PREFIX/,
    );
  });
});

describe('apply against moto: what happened', () => {
  const line = (value: object) => JSON.stringify(value);
  const resource = (addr: string) => ({
    addr,
    resource_type: skipKeyOf(addr),
  });

  it('reads planned creates, creates and errors from the JSON stream', () => {
    const stream = [
      line({ type: 'version', terraform: '1.11.4' }),
      line({
        type: 'planned_change',
        change: { resource: resource('aws_vpc.this'), action: 'create' },
      }),
      line({
        type: 'planned_change',
        change: {
          resource: resource('module.x.data.aws_eks_cluster.c'),
          action: 'read',
        },
      }),
      line({
        type: 'apply_complete',
        hook: { resource: resource('aws_vpc.this'), action: 'create' },
      }),
      line({
        type: 'apply_complete',
        hook: {
          resource: resource('module.x.data.aws_eks_cluster.c'),
          action: 'read',
        },
      }),
      line({
        type: 'diagnostic',
        diagnostic: {
          severity: 'warning',
          summary: 'Resource targeting is in effect',
        },
      }),
      line({
        type: 'diagnostic',
        diagnostic: {
          severity: 'error',
          summary: 'creating EKS Access Entry',
          detail: 'StatusCode: 404',
          address: 'module.eks[0].aws_eks_access_entry.this["deploy"]',
        },
      }),
      'not json',
    ].join('\n');
    expect(readStream(stream)).toEqual({
      plannedCreates: ['aws_vpc.this'],
      created: ['aws_vpc.this'],
      errors: [
        {
          address: 'module.eks[0].aws_eks_access_entry.this["deploy"]',
          message: 'creating EKS Access Entry: StatusCode: 404',
        },
      ],
    });
  });

  it('fails on any error outside the skip list, or an instance neither created nor skipped', () => {
    const selection = { skipped: new Set<string>(), dependents: new Map() };
    const base = {
      environment: 'dev',
      selection,
      ms: 1000,
      stateKey: 'svc/dev/terraform.tfstate',
      diagnostics: [],
    };
    expect(
      verdict({
        ...base,
        counts: countInstances(['aws_vpc.this'], ['aws_vpc.this'], selection),
        errors: [],
      }),
    ).toBe('created 1; skipped 0; 1.0 s');
    expect(() =>
      verdict({
        ...base,
        counts: countInstances(
          ['aws_vpc.this', 'aws_subnet.a'],
          ['aws_vpc.this'],
          selection,
        ),
        errors: [
          { address: 'aws_subnet.a', message: 'creating EC2 Subnet: boom' },
        ],
      }),
    ).toThrow(
      /^aws_subnet.a: creating EC2 Subnet: boom\n\(created 1; .*terraformApplySkipList.ts/,
    );
    expect(() =>
      verdict({
        ...base,
        counts: countInstances(
          ['aws_vpc.this', 'aws_subnet.a'],
          ['aws_vpc.this'],
          selection,
        ),
        errors: [],
      }),
    ).toThrow(/planned but neither created nor skipped: aws_subnet.a/);
    expect(() =>
      verdict({
        ...base,
        counts: countInstances(['aws_vpc.this'], [], selection),
        errors: [{ address: 'aws_vpc.this', message: 'creating EC2 VPC: 409' }],
        diagnostics: ['retried: CreateVpc', "moto's log: POST / 500"],
      }),
    ).toThrow(
      /verified reason\)\nretried: CreateVpc\nmoto's log: POST \/ 500$/s,
    );
  });

  it.each([
    [
      'in the root account, with a path',
      'arn:aws:iam::123456789012:role/platform/backstage',
      { name: 'backstage', path: '/platform/' },
    ],
    [
      'in another account',
      'arn:aws:iam::210987654321:role/backstage',
      undefined,
    ],
  ])(
    "seeds Backstage's role for a new cluster when it is %s",
    async (_, arn, expected) => {
      const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'root-settings-'));
      try {
        await fs.writeFile(
          path.join(dir, 'terraform.tfvars'),
          [
            'aws_account_id = "123456789012"',
            'aws_region = "eu-west-1"',
            'create_cluster = true',
            'manage_ecr_repository = true',
            `backstage_role_arn = "${arn}"`,
          ].join('\n'),
        );
        await fs.writeFile(
          path.join(dir, 'dev.s3.tfbackend'),
          'bucket = "state"\nregion = "eu-west-1"\n',
        );
        expect((await readRootSettings(dir, 'dev')).backstageRole).toEqual(
          expected,
        );
      } finally {
        await fs.rm(dir, { recursive: true, force: true });
      }
    },
  );

  it('reads the scalar settings of a tfvars or tfbackend file', () => {
    const values = readScalars(
      [
        'aws_account_id = "123456789012" # the account',
        'create_cluster      = false',
        'permissions_boundary_arn = null',
        'nodes = ["m6i.large"]',
        '# bucket = "commented"',
        'bucket = "a\\"b"',
      ].join('\n'),
    );
    expect(Object.fromEntries(values)).toEqual({
      aws_account_id: '123456789012',
      create_cluster: false,
      permissions_boundary_arn: null,
      bucket: 'a"b',
    });
  });
});
