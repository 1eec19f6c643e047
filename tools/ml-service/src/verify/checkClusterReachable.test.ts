/*
 * The deploy workflow's cluster reachability check (.github/scripts/check_cluster_reachable.sh of the
 * skeleton), run with bash, the machine's kubectl and AWS CLI: kubectl talks to a local stand-in for
 * the Kubernetes API (or to a closed port, as a runner outside a private endpoint's reach would), and
 * the cluster's endpoint settings come from EKS in moto.
 */
import {
  CreateClusterCommand,
  EKSClient,
  VpcConfigRequest,
} from '@aws-sdk/client-eks';
import fs from 'node:fs/promises';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '@internal/local-processes';
import {
  MOTO_ACCOUNT_ID,
  MOTO_CREDENTIALS,
  MotoServer,
  startMotoServer,
} from '@internal/moto-server';
import { exec, ExecResult } from './exec';
import { awsCliEnvironment, skeletonScript } from './skeletonScripts';

jest.setTimeout(60_000);

const SCRIPT = skeletonScript('check_cluster_reachable.sh');
const REGION = 'eu-west-1';

/**
 * A Kubernetes API stand-in answering GET /version with `status`, or with 401
 * for the first `refusingForMs` after its first request (an access entry on
 * its way: kubectl asks twice on a 401 within one call).
 */
async function kubernetesApi(
  status: number,
  refusingForMs = 0,
): Promise<{
  url: string;
  /** How many GET /version requests it answered. */
  requests(): number;
  close(): Promise<void>;
}> {
  let firstRequestAt: number | undefined;
  let requests = 0;
  const server = http.createServer((request, response) => {
    if (
      request.method !== 'GET' ||
      new URL(request.url ?? '', 'http://api').pathname !== '/version'
    ) {
      response.writeHead(404).end();
      return;
    }
    requests += 1;
    firstRequestAt ??= Date.now();
    const answer = Date.now() - firstRequestAt < refusingForMs ? 401 : status;
    response.writeHead(answer, { 'Content-Type': 'application/json' });
    response.end(
      answer === 200
        ? JSON.stringify({ major: '1', minor: '33', gitVersion: 'v1.33.1' })
        : JSON.stringify({
            kind: 'Status',
            apiVersion: 'v1',
            status: 'Failure',
            message: 'Unauthorized',
            reason: 'Unauthorized',
            code: answer,
          }),
    );
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => requests,
    close: () => new Promise(resolve => server.close(() => resolve())),
  };
}

describe('check_cluster_reachable.sh (skeleton)', () => {
  let moto: MotoServer;
  let workDir: string;

  beforeAll(async () => {
    moto = await startMotoServer();
    workDir = await fs.mkdtemp(path.join(os.tmpdir(), 'cluster-reachable-'));
    const eks = new EKSClient({
      region: REGION,
      endpoint: moto.endpoint,
      credentials: MOTO_CREDENTIALS,
    });
    const cluster = (name: string, vpc: VpcConfigRequest) =>
      eks.send(
        new CreateClusterCommand({
          name,
          roleArn: `arn:aws:iam::${MOTO_ACCOUNT_ID}:role/cluster`,
          resourcesVpcConfig: { subnetIds: ['subnet-a', 'subnet-b'], ...vpc },
        }),
      );
    await cluster('private-only', {
      endpointPublicAccess: false,
      endpointPrivateAccess: true,
    });
    await cluster('office-only', {
      endpointPublicAccess: true,
      publicAccessCidrs: ['203.0.113.0/24'],
    });
    await cluster('open', {
      endpointPublicAccess: true,
      publicAccessCidrs: ['0.0.0.0/0'],
    });
    eks.destroy();
  });
  afterAll(async () => {
    await moto?.stop();
    if (workDir) await fs.rm(workDir, { recursive: true, force: true });
  });

  /** Runs the check for `clusterName` with a kubeconfig whose server is `server`. */
  async function check(
    clusterName: string,
    server: string,
    env: Record<string, string> = {},
  ): Promise<ExecResult> {
    const kubeconfig = path.join(workDir, `${clusterName}-${Date.now()}`);
    await fs.writeFile(
      kubeconfig,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'eks', cluster: { server } }],
        users: [{ name: 'deploy', user: { token: 'a-token' } }],
        contexts: [
          { name: 'eks', context: { cluster: 'eks', user: 'deploy' } },
        ],
        'current-context': 'eks',
      }),
    );
    return exec('bash', [SCRIPT], {
      env: {
        KUBECONFIG: kubeconfig,
        CLUSTER_NAME: clusterName,
        ...awsCliEnvironment(moto, REGION),
        ...env,
      },
    });
  }

  const unreachable = async () => `http://127.0.0.1:${await freePort()}`;

  it('passes when the API answers', async () => {
    const api = await kubernetesApi(200);
    try {
      const run = await check('open', api.url);
      expect(run).toEqual({
        code: 0,
        output: 'Kubernetes API of open: reachable.\n',
      });
    } finally {
      await api.close();
    }
  });

  it('names a private endpoint and the two ways out when the API cannot be reached', async () => {
    const run = await check('private-only', await unreachable());

    expect(run.code).toBe(1);
    expect(run.output).toContain(
      '::error::This runner cannot reach the Kubernetes API of private-only: its API endpoint is private (endpointPublicAccess false), and GitHub-hosted runners are outside its VPC. Fix: run the deploy jobs on a self-hosted runner inside the VPC (set the repository variable DEPLOY_RUNS_ON to its label)',
    );
    expect(run.output).toContain(
      'aws eks update-cluster-config --name private-only --resources-vpc-config endpointPublicAccess=true',
    );
  });

  it('names the admitted CIDRs when the public endpoint is limited', async () => {
    const run = await check('office-only', await unreachable());

    expect(run.code).toBe(1);
    expect(run.output).toContain(
      'its public endpoint admits only 203.0.113.0/24, and GitHub-hosted runners',
    );
  });

  it('says what it saw when an open endpoint does not answer', async () => {
    const run = await check('open', await unreachable());

    expect(run.code).toBe(1);
    expect(run.output).toMatch(
      /cannot reach the Kubernetes API of open: no answer \(.*was refused.*\)\. Fix: check that open is ACTIVE/,
    );
  });

  it('tells a refused role from an unreachable API, with the access entry fix', async () => {
    const api = await kubernetesApi(401);
    try {
      const run = await check('open', api.url, {
        UNAUTHORIZED_WAIT_SECONDS: '0',
      });
      expect(run.code).toBe(1);
      expect(run.output).toContain(
        "::error::The Kubernetes API of open answered, but refused this job's role",
      );
      expect(run.output).toContain('needs an EKS access entry on open');
    } finally {
      await api.close();
    }
  });

  it('asks again while a new access entry propagates, and passes once the role is let in', async () => {
    const api = await kubernetesApi(200, 3000);
    try {
      const run = await check('open', api.url, {
        UNAUTHORIZED_WAIT_SECONDS: '30',
      });
      expect(run).toEqual({
        code: 0,
        output: 'Kubernetes API of open: reachable.\n',
      });
      // Every request of the first kubectl call was refused: only a second call could pass.
      expect(api.requests()).toBeGreaterThan(1);
    } finally {
      await api.close();
    }
  });
});
