import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_TEMPLATE_DIR } from '../render';
import { catalogCheck } from './catalog';
import { dockerfileProblems, pythonVersionProblems } from './dockerfile';
import {
  computeModeOf,
  computeModeProblems,
  manifestProblems,
} from './kubernetes';
import { backendFileProblems, backstageAccessEntryProblems } from './terraform';
import { unpinnedActions, unpinnedHelmCharts } from './workflows';

const GOOD_DOCKERFILE = `
FROM python:3.11.14-slim-bookworm AS build
RUN pip install --prefix=/install fastapi
FROM python:3.11.14-slim-bookworm
COPY --from=build /install /usr/local
USER 10001:10001
CMD ["python", "-m", "app"]
`;

describe('Dockerfile rules', () => {
  it('accept a pinned, multi-stage, non-root image', () => {
    expect(dockerfileProblems(GOOD_DOCKERFILE)).toEqual([]);
  });

  it.each([
    [
      'single stage',
      'FROM python:3.11.14-slim\nUSER 10001\n',
      /not multi-stage/,
    ],
    [
      'latest tag',
      GOOD_DOCKERFILE.replace(/3\.11\.14-slim-bookworm/g, 'latest'),
      /not pinned/,
    ],
    [
      'untagged base',
      GOOD_DOCKERFILE.replace(/:3\.11\.14-slim-bookworm/g, ''),
      /not pinned/,
    ],
    ['ADD', `${GOOD_DOCKERFILE}ADD app.tar.gz /app\n`, /uses ADD/],
    [
      'secret in ENV',
      GOOD_DOCKERFILE.replace('USER', 'ENV AWS_SECRET_ACCESS_KEY=x\nUSER'),
      /looks like a secret/,
    ],
    [
      'root user',
      GOOD_DOCKERFILE.replace('USER 10001:10001', 'USER 0'),
      /uid ≥ 10000/,
    ],
    [
      'low uid',
      GOOD_DOCKERFILE.replace('USER 10001:10001', 'USER 1000'),
      /uid ≥ 10000/,
    ],
    [
      'named user',
      GOOD_DOCKERFILE.replace('USER 10001:10001', 'USER app'),
      /numeric non-root USER/,
    ],
  ])('reject %s', (_name, text, problem) => {
    expect(dockerfileProblems(text).join('\n')).toMatch(problem);
  });

  it('resolves a base image given as a global ARG', () => {
    const pinned = `ARG BASE=python:3.11.14-slim@sha256:${'b'.repeat(
      64,
    )}\n${GOOD_DOCKERFILE.replace(
      /python:3\.11\.14-slim-bookworm/g,
      '${BASE}',
    )}`;
    expect(dockerfileProblems(pinned)).toEqual([]);
    const floating = `ARG BASE=python:latest\n${GOOD_DOCKERFILE.replace(
      /python:3\.11\.14-slim-bookworm/g,
      '${BASE}',
    )}`;
    expect(dockerfileProblems(floating).join('\n')).toMatch(
      /"python:latest" is not pinned/,
    );
  });

  it('accepts a digest-pinned base image', () => {
    const digest = `@sha256:${'a'.repeat(64)}`;
    expect(
      dockerfileProblems(
        GOOD_DOCKERFILE.replace(/:3\.11\.14-slim-bookworm/g, digest),
      ),
    ).toEqual([]);
  });
});

describe('Kubernetes object checks', () => {
  const deployment = () => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'svc' },
    spec: {
      selector: { matchLabels: { app: 'svc' } },
      template: {
        metadata: { labels: { app: 'svc' } },
        spec: {
          containers: [
            { name: 'svc', image: 'x', ports: [{ containerPort: 8080 }] },
          ],
        },
      },
    },
  });

  it('accept a valid Deployment', () => {
    expect(manifestProblems(deployment())).toEqual([]);
  });

  it('catch unknown fields, as the API server would', () => {
    const manifest: any = deployment();
    manifest.spec.template.spec.containers[0].readinessProbe = {
      httpGet: { path: '/', port: 8080, bogus: true },
    };
    manifest.spec.replica = 2;
    expect(manifestProblems(manifest).sort()).toEqual([
      'Deployment/svc.spec.replica: unknown field',
      'Deployment/svc.spec.template.spec.containers[0].readinessProbe.httpGet.bogus: unknown field',
    ]);
  });

  it('catch wrong types', () => {
    const manifest: any = deployment();
    manifest.spec.template.spec.containers[0].ports[0].containerPort = 'http';
    expect(manifestProblems(manifest).join('\n')).toMatch(
      /containerPort must be integer/,
    );
  });

  it('refuse kinds the repository should not render', () => {
    expect(
      manifestProblems({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 's' },
      }),
    ).toEqual([
      'Secret/s: v1 Secret is not a kind this repository is expected to render',
    ]);
  });
});

describe('compute mode checks', () => {
  const overlay = (
    options: {
      targetType?: string;
      roleArn?: string;
      scheme?: string;
      readinessGate?: boolean;
    } = {},
  ): any[] => [
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: 'ml',
        labels:
          options.readinessGate === false
            ? {}
            : { 'elbv2.k8s.aws/pod-readiness-gate-inject': 'enabled' },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: {
        name: 'svc',
        ...(options.roleArn
          ? { annotations: { 'eks.amazonaws.com/role-arn': options.roleArn } }
          : {}),
      },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: {
        name: 'svc',
        annotations: {
          'alb.ingress.kubernetes.io/scheme': options.scheme ?? 'internal',
          ...(options.targetType
            ? { 'alb.ingress.kubernetes.io/target-type': options.targetType }
            : {}),
        },
      },
      spec: { ingressClassName: 'alb' },
    },
  ];
  const autoMode = (
    controller = 'eks.amazonaws.com/alb',
    scheme = 'internal',
  ): any[] => [
    {
      apiVersion: 'eks.amazonaws.com/v1',
      kind: 'IngressClassParams',
      metadata: { name: 'alb' },
      spec: { scheme },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'IngressClass',
      metadata: { name: 'alb' },
      spec: {
        controller,
        parameters: {
          apiGroup: 'eks.amazonaws.com',
          kind: 'IngressClassParams',
          name: 'alb',
        },
      },
    },
  ];
  const ROLE = 'arn:aws:iam::123456789012:role/svc-dev-service';

  it('accept each mode as the template renders it', () => {
    expect(
      computeModeProblems(
        'fargate',
        'svc',
        overlay({ targetType: 'ip', roleArn: ROLE }),
        [],
      ),
    ).toEqual([]);
    expect(
      computeModeProblems(
        'nodegroup',
        'svc',
        overlay({ targetType: 'ip' }),
        [],
      ),
    ).toEqual([]);
    expect(
      computeModeProblems(
        'auto',
        'svc',
        overlay({ targetType: 'ip' }),
        autoMode(),
      ),
    ).toEqual([]);
    expect(
      computeModeProblems('existing', 'svc', overlay({ targetType: 'ip' }), []),
    ).toEqual([]);
  });

  it.each([
    [
      'a Fargate Ingress without IP targets',
      'fargate' as const,
      overlay({ roleArn: ROLE }),
      [],
      /target-type must be "ip" on Fargate/,
    ],
    [
      'a Fargate Ingress with instance targets',
      'fargate' as const,
      overlay({ targetType: 'instance', roleArn: ROLE }),
      [],
      /target-type must be "ip" on Fargate .*, got "instance"/,
    ],
    [
      'a Fargate ServiceAccount without the IRSA role',
      'fargate' as const,
      overlay({ targetType: 'ip' }),
      [],
      /ServiceAccount\/svc: Fargate has no EKS Pod Identity/,
    ],
    [
      'an IRSA role beside Pod Identity',
      'nodegroup' as const,
      overlay({ targetType: 'ip', roleArn: ROLE }),
      [],
      /would take precedence over the EKS Pod Identity association/,
    ],
    [
      'IP targets without the readiness gate label',
      'nodegroup' as const,
      overlay({ targetType: 'ip', readinessGate: false }),
      [],
      /pod-readiness-gate-inject: enabled/,
    ],
    [
      'Auto Mode without its IngressClass',
      'auto' as const,
      overlay({ targetType: 'ip' }),
      [],
      /k8s\/auto-mode defines no IngressClass "alb"/,
    ],
    [
      "Auto Mode with the load balancer controller's class",
      'auto' as const,
      overlay({ targetType: 'ip' }),
      autoMode('ingress.k8s.aws/alb'),
      /controller must be eks.amazonaws.com\/alb/,
    ],
    [
      'Auto Mode params with another scheme',
      'auto' as const,
      overlay({ targetType: 'ip', scheme: 'internet-facing' }),
      autoMode(),
      /scheme "internal" differs from the Ingress's alb.ingress.kubernetes.io\/scheme "internet-facing"/,
    ],
    [
      'Auto Mode manifests on a node group cluster',
      'nodegroup' as const,
      overlay({ targetType: 'ip' }),
      autoMode(),
      /k8s\/auto-mode is for EKS Auto Mode only/,
    ],
  ])('reject %s', (_name, mode, manifests, cluster, problem) => {
    expect(
      computeModeProblems(mode, 'svc', manifests, cluster).join('\n'),
    ).toMatch(problem);
  });

  it('read the mode from terraform.tfvars', () => {
    expect(computeModeOf('create_cluster = false\n')).toBe('existing');
    expect(
      computeModeOf('create_cluster      = true\ncompute_mode = "fargate"\n'),
    ).toBe('fargate');
    expect(computeModeOf('create_cluster = true\n')).toBe('auto');
    expect(() =>
      computeModeOf('create_cluster = true\ncompute_mode = "karpenter"\n'),
    ).toThrow(/compute_mode = "karpenter" is none of auto, nodegroup, fargate/);
  });

  it('check IngressClassParams against the vendored Auto Mode schema', () => {
    const [params] = autoMode();
    expect(manifestProblems(params)).toEqual([]);
    expect(
      manifestProblems({ ...params, spec: { scheme: 'public' } }).join('\n'),
    ).toMatch(/IngressClassParams\/alb: spec.scheme is not one of/);
    expect(
      manifestProblems({
        ...params,
        spec: { scheme: 'internal', certificateArn: 'x' },
      }).join('\n'),
    ).toMatch(
      /spec is not allowed to have the additional property "certificateArn"/,
    );
  });

  it('check the RBAC of backstage-access.yaml', () => {
    expect(
      manifestProblems({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'b', namespace: 'ml' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role' },
        subjects: [{ kind: 'Group', name: 'g' }],
      }).join('\n'),
    ).toMatch(/roleRef.*name/);
  });
});

describe('workflow pinning', () => {
  it('lists uses that are not pinned to a full commit SHA', () => {
    const text = `
on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@a26af69be951a213d495a4c3e4e4022e16d87065 # v5.6.0
      - uses: ./.github/actions/local
      - uses: docker://alpine:3.20
`;
    expect(unpinnedActions(text)).toEqual(['actions/checkout@v4']);
  });
});

describe('Helm chart pinning', () => {
  it('lists chart installs without --version, across continued lines', () => {
    const text = `
on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: |
          helm upgrade --install lbc aws-load-balancer-controller \\
            --repo https://aws.github.io/eks-charts --version 3.5.0 \\
            --namespace kube-system
          helm show crds aws-load-balancer-controller --repo https://aws.github.io/eks-charts --version "\${V}" | kubectl apply -f -
          helm upgrade --install ca cluster-autoscaler \\
            --repo https://kubernetes.github.io/autoscaler --namespace kube-system
          helm -n kube-system list
      - run: helm install x repo/chart
`;
    expect(unpinnedHelmCharts(text)).toEqual([
      'helm upgrade --install ca cluster-autoscaler --repo https://kubernetes.github.io/autoscaler --namespace kube-system',
      'helm install x repo/chart',
    ]);
  });
});

describe('catalog check', () => {
  async function repoWith(
    catalogInfo: string,
    openapi = 'openapi: 3.0.3\ninfo: {title: x, version: "1"}\npaths: {}\n',
  ) {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'catalog-check-'));
    await fs.writeFile(path.join(dir, 'catalog-info.yaml'), catalogInfo);
    await fs.writeFile(path.join(dir, 'openapi.yaml'), openapi);
    return dir;
  }
  const api = `---
apiVersion: backstage.io/v1alpha1
kind: API
metadata: { name: svc-api }
spec: { type: openapi, lifecycle: experimental, owner: team-a, definition: { $text: ./openapi.yaml } }
`;

  it('rejects a component without the mlops annotations', async () => {
    const dir = await repoWith(`apiVersion: backstage.io/v1alpha1
kind: Component
metadata: { name: svc }
spec: { type: service, lifecycle: experimental, owner: team-a }
${api}`);
    await expect(catalogCheck(dir).run()).rejects.toThrow(
      /Component:svc: missing annotation mlops\/inference-url or mlops\/kubernetes-service/,
    );
  });

  it.each([
    [
      'mlops/kubernetes-service',
      'prod-eks/Bad_Namespace/svc:http',
      /namespace "Bad_Namespace" is not a DNS-1123 label/,
    ],
    [
      'mlops/kubernetes-service-dev',
      'ml-services/svc:http',
      /mlops\/kubernetes-service-dev names no cluster/,
    ],
  ])('rejects the Kubernetes target %s: %s', async (key, value, problem) => {
    const dir = await repoWith(`apiVersion: backstage.io/v1alpha1
kind: Component
metadata: { name: svc, annotations: { "${key}": "${value}" } }
spec: { type: service, lifecycle: experimental, owner: team-a }
${api}`);
    await expect(catalogCheck(dir).run()).rejects.toThrow(problem);
  });

  it('rejects an invalid entity name', async () => {
    const dir = await repoWith(`apiVersion: backstage.io/v1alpha1
kind: Component
metadata: { name: "svc with spaces" }
spec: { type: service, lifecycle: experimental, owner: team-a }
${api}`);
    await expect(catalogCheck(dir).run()).rejects.toThrow(/metadata.name/);
  });
});

describe('Terraform backend file rules', () => {
  const BACKEND = `bucket               = "acme-tfstate"
key                  = "svc/dev/terraform.tfstate"
region               = "eu-west-1"
use_lockfile         = true
`;

  it('accept a backend file that leaves encryption to the bucket default', () => {
    expect(backendFileProblems(BACKEND)).toEqual([]);
  });

  it('accept encrypt = true with the key named', () => {
    expect(
      backendFileProblems(
        `${BACKEND}encrypt    = true\nkms_key_id = "alias/tfstate"\n`,
      ),
    ).toEqual([]);
  });

  it('refuse encrypt = true without kms_key_id (SSE-S3 overriding the bucket SSE-KMS)', () => {
    expect(
      backendFileProblems(`${BACKEND}encrypt              = true\n`).join('\n'),
    ).toMatch(/encrypt = true without kms_key_id/);
  });

  it('name a missing key', () => {
    expect(backendFileProblems('bucket = "b"\nuse_lockfile = true\n')).toEqual([
      'does not set key',
      'does not set region',
    ]);
  });
});

describe('Backstage access entry rule', () => {
  it("refuse an environment root's own access entry for Backstage's role", () => {
    const mainTf = `
resource "aws_eks_access_entry" "deploy_existing" {
  principal_arn = module.iam.deploy_role_arn
}

resource "aws_eks_access_entry" "backstage_existing" {
  cluster_name      = data.aws_eks_cluster.existing[0].name
  principal_arn     = var.backstage_role_arn
  kubernetes_groups = [var.backstage_kubernetes_group]
}
`;
    expect(backstageAccessEntryProblems(mainTf)).toEqual([
      expect.stringMatching(/^aws_eks_access_entry\.backstage_existing /),
    ]);
  });

  it("accept the deploy role's entry and Backstage's through the eks module of a new cluster", () => {
    const mainTf = `
module "eks" {
  group_access_entries = { backstage = { principal_arn = var.backstage_role_arn } }
}

# Backstage's entry on a shared cluster is the platform's.
resource "aws_eks_access_entry" "deploy_existing" {
  # not Backstage's
  principal_arn = module.iam.deploy_role_arn
}
`;
    expect(backstageAccessEntryProblems(mainTf)).toEqual([]);
  });

  it("accept the template's environment root", async () => {
    const mainTf = await fs.readFile(
      path.join(
        DEFAULT_TEMPLATE_DIR,
        'environment/terraform/envs',
        // The folder's literal name in the template.
        `\${{ values.environment }}`,
        'main.tf',
      ),
      'utf8',
    );
    expect(mainTf).toMatch(/resource "aws_eks_access_entry" "deploy_existing"/);
    expect(backstageAccessEntryProblems(mainTf)).toEqual([]);
  });
});

describe('Python version rule', () => {
  const files = (readme: string) => ({
    readme,
    dockerfile: GOOD_DOCKERFILE,
    workflows: {
      'ci.yml': 'env:\n  PYTHON_VERSION: "3.11"\n',
      'deploy.yml': 'env:\n  PYTHON_VERSION: "3.11"\n',
    },
  });

  it('accept one version everywhere', () => {
    expect(pythonVersionProblems(files('Needs Python 3.11.'))).toEqual([]);
  });

  it('refuse a README that names another version than the image and the workflows', () => {
    expect(
      pythonVersionProblems(files('Needs Python 3.12.')).join('\n'),
    ).toMatch(/README.md \("Needs Python"\) 3\.12.*Dockerfile.* 3\.11/);
  });
});
