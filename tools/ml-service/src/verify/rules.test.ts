import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { catalogCheck } from './catalog';
import { dockerfileProblems } from './dockerfile';
import { manifestProblems } from './kubernetes';
import { unpinnedActions } from './workflows';

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
