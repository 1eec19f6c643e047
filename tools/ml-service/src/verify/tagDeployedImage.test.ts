/*
 * The deploy workflow's image tagging (.github/scripts/tag_deployed_image.sh of the skeleton), run
 * with bash and the machine's AWS CLI against moto: the tag the lifecycle policy keeps an
 * environment's images by lands on the deployed digest, a re-run converges, and what cannot be
 * tagged fails the deploy before anything is rolled out. The backend reads that tag as "deployed to
 * the environment", and the local demo's stand-in for the workflow leaves one of the same form.
 */
import {
  BatchGetImageCommand,
  CreateRepositoryCommand,
  DescribeImagesCommand,
  ECRClient,
  PutImageCommand,
} from '@aws-sdk/client-ecr';
import { environmentOfDeployTag } from '@eks-mlops/backstage-plugin-mlops-common';
import { createHash } from 'node:crypto';
import {
  MOTO_ACCOUNT_ID,
  MOTO_CREDENTIALS,
  MotoServer,
  startMotoServer,
} from '@internal/moto-server';
import { tagDeployedImageInMoto } from '../deployedImageTag';
import { exec, ExecResult } from './exec';
import { awsCliEnvironment, skeletonScript } from './skeletonScripts';

jest.setTimeout(60_000);

const SCRIPT = skeletonScript('tag_deployed_image.sh');
const REGION = 'eu-west-1';
const REPOSITORY = 'churn-model';
const MEDIA_TYPE = 'application/vnd.oci.image.manifest.v1+json';

/** An image manifest; `build` makes it differ, `trailingNewline` ends it as some tools write them. */
function manifestOf(build: number, trailingNewline = false): string {
  const layer = `sha256:${createHash('sha256')
    .update(`layer ${build}`)
    .digest('hex')}`;
  const text = JSON.stringify({
    schemaVersion: 2,
    mediaType: MEDIA_TYPE,
    config: {
      mediaType: 'application/vnd.oci.image.config.v1+json',
      size: 1234,
      digest: layer,
    },
    layers: [
      {
        mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
        size: 5678,
        digest: layer,
      },
    ],
  });
  return trailingNewline ? `${text}\n` : text;
}

/** The script as a deploy job runs it, against moto, with only the variables given. */
function runScript(
  moto: MotoServer,
  env: Record<string, string>,
): Promise<ExecResult> {
  return exec('bash', [SCRIPT], {
    env: {
      ...awsCliEnvironment(moto, REGION),
      ECR_REPOSITORY_NAME: REPOSITORY,
      ENVIRONMENT: 'prod',
      GITHUB_RUN_ID: '7001',
      GITHUB_RUN_ATTEMPT: '1',
      ...env,
    },
  });
}

describe('tag_deployed_image.sh (skeleton) against moto', () => {
  let moto: MotoServer;
  let ecr: ECRClient;

  beforeAll(async () => {
    moto = await startMotoServer();
    ecr = new ECRClient({
      region: REGION,
      endpoint: moto.endpoint,
      credentials: MOTO_CREDENTIALS,
    });
    await ecr.send(
      new CreateRepositoryCommand({
        repositoryName: REPOSITORY,
        imageTagMutability: 'IMMUTABLE',
      }),
    );
  });
  afterAll(async () => {
    ecr?.destroy();
    await moto?.stop();
  });

  async function push(manifest: string, tag: string): Promise<string> {
    const { image } = await ecr.send(
      new PutImageCommand({
        repositoryName: REPOSITORY,
        imageManifest: manifest,
        imageManifestMediaType: MEDIA_TYPE,
        imageTag: tag,
      }),
    );
    return image!.imageId!.imageDigest!;
  }

  async function images(
    repositoryName = REPOSITORY,
  ): Promise<Array<[string, string[]]>> {
    const { imageDetails = [] } = await ecr.send(
      new DescribeImagesCommand({ repositoryName }),
    );
    return imageDetails
      .map(
        i =>
          [i.imageDigest!, [...(i.imageTags ?? [])].sort()] as [
            string,
            string[],
          ],
      )
      .sort(([a], [b]) => a.localeCompare(b));
  }

  it('tags the deployed digest for its environment, keeps its commit tag, and converges on a re-run', async () => {
    const digest = await push(manifestOf(1), 'commit-1');

    const first = await runScript(moto, { IMAGE_DIGEST: digest });
    const again = await runScript(moto, { IMAGE_DIGEST: digest });

    expect(first).toMatchObject({ code: 0 });
    expect(first.output).toContain(`Tagged ${digest} prod-run-7001-1`);
    expect(again).toMatchObject({ code: 0 });
    expect(again.output).toContain('is already tagged prod-run-7001-1');
    expect(await images()).toContainEqual([
      digest,
      ['commit-1', 'prod-run-7001-1'],
    ]);
    // The backend reads the tag the script put as "prod has been deployed".
    const [, tags] = (await images()).find(([d]) => d === digest)!;
    expect(tags.map(environmentOfDeployTag)).toEqual([undefined, 'prod']);
  });

  it('copies the manifest byte for byte, trailing newline included', async () => {
    const manifest = manifestOf(2, true);
    const digest = await push(manifest, 'commit-2');
    // A manifest that differs by a byte is another image: the count would grow.
    const before = (await images()).length;

    const run = await runScript(moto, {
      IMAGE_DIGEST: digest,
      ENVIRONMENT: 'dev',
    });

    expect(run).toMatchObject({ code: 0 });
    expect(await images()).toHaveLength(before);
    expect(await images()).toContainEqual([
      digest,
      ['commit-2', 'dev-run-7001-1'],
    ]);
    const { images: stored = [] } = await ecr.send(
      new BatchGetImageCommand({
        repositoryName: REPOSITORY,
        imageIds: [{ imageTag: 'dev-run-7001-1' }],
      }),
    );
    expect(stored[0]?.imageManifest).toBe(manifest);
  });

  it('fails, naming the digest and the cause, when the image is not in the repository', async () => {
    const missing = `sha256:${'0'.repeat(64)}`;
    const before = await images();

    const run = await runScript(moto, { IMAGE_DIGEST: missing });

    expect(run.code).toBe(1);
    expect(run.output).toContain(
      `::error::Image ${missing} is not in the ECR repository ${REPOSITORY}`,
    );
    expect(await images()).toEqual(before);
  });

  it('fails when the tag already names another image (tags are immutable)', async () => {
    const other = await push(manifestOf(3), 'commit-3');
    const deployed = await push(manifestOf(4), 'commit-4');
    await runScript(moto, { IMAGE_DIGEST: other, GITHUB_RUN_ID: '7002' });

    const run = await runScript(moto, {
      IMAGE_DIGEST: deployed,
      GITHUB_RUN_ID: '7002',
    });

    expect(run.code).toBe(1);
    expect(run.output).toContain(
      `::error::Could not tag ${deployed} prod-run-7002-1 in ${REPOSITORY}`,
    );
    expect(await images()).toContainEqual([deployed, ['commit-4']]);
  });

  it("leaves from the local demo's stand-in a tag of the same form, once however often it runs", async () => {
    const repositoryName = 'stand-in';
    await ecr.send(
      new CreateRepositoryCommand({
        repositoryName,
        imageTagMutability: 'IMMUTABLE',
      }),
    );
    const deploy = {
      motoEndpoint: moto.endpoint,
      repositoryUri: `${MOTO_ACCOUNT_ID}.dkr.ecr.${REGION}.amazonaws.com/${repositoryName}`,
      environment: 'dev',
      run: 3,
      commit: '8526f53aa',
    };

    expect(await tagDeployedImageInMoto(deploy)).toBe('dev-run-3-1');
    expect(await tagDeployedImageInMoto(deploy)).toBe('dev-run-3-1');

    const [[, tags], ...others] = await images(repositoryName);
    expect(others).toEqual([]);
    expect(tags.map(environmentOfDeployTag)).toEqual(['dev']);
    await expect(
      tagDeployedImageInMoto({ ...deploy, repositoryUri: repositoryName }),
    ).rejects.toThrow('"stand-in" is not an ECR repository URI');
  });
});
