import { Entity } from '@backstage/catalog-model';
import {
  MLOPS_ANNOTATIONS,
  parseEcrRepositoryUri,
  STANDARD_ANNOTATIONS,
} from '@eks-mlops/backstage-plugin-mlops-common';

export type ServiceLinkKind =
  | 'ecr'
  | 'github'
  | 'tfstate'
  | 'eks'
  | 'dashboard';

export interface ServiceLink {
  kind: ServiceLinkKind;
  title: string;
  url: string;
}

const S3_URI = /^s3:\/\/([^/]+)\/?(.*)$/;

/**
 * Links to where the service's image, pipelines, infrastructure state and
 * dashboards live, for whichever of them the entity is annotated with.
 */
export function serviceLinks(entity: Entity): ServiceLink[] {
  const annotations = entity.metadata.annotations ?? {};
  const region = annotations[MLOPS_ANNOTATIONS.awsRegion]?.trim();
  const links = [
    ecrLink(annotations[MLOPS_ANNOTATIONS.ecrRepository]),
    githubActionsLink(annotations[STANDARD_ANNOTATIONS.githubProjectSlug]),
    stateBucketLink(annotations[MLOPS_ANNOTATIONS.tfstate], region),
    eksClusterLink(annotations[MLOPS_ANNOTATIONS.eksCluster], region),
    ...dashboardLinks(entity),
  ];
  return links.filter((link): link is ServiceLink => link !== undefined);
}

/** The region and account are part of the repository URI itself. */
function ecrLink(uri?: string): ServiceLink | undefined {
  const repository = parseEcrRepositoryUri(uri);
  if (!repository) {
    return undefined;
  }
  const { accountId, region, repositoryName } = repository;
  return {
    kind: 'ecr',
    title: `ECR repository ${repositoryName}`,
    url: `${consoleHost(
      region,
    )}/ecr/repositories/private/${accountId}/${repositoryName}?region=${region}`,
  };
}

function githubActionsLink(slug?: string): ServiceLink | undefined {
  const trimmed = slug?.trim();
  if (!trimmed || !/^[\w.-]+\/[\w.-]+$/.test(trimmed)) {
    return undefined;
  }
  return {
    kind: 'github',
    title: 'GitHub Actions runs',
    url: `https://github.com/${trimmed}/actions`,
  };
}

function stateBucketLink(
  uri?: string,
  region?: string,
): ServiceLink | undefined {
  const match = uri?.trim().match(S3_URI);
  if (!match) {
    return undefined;
  }
  const [, bucket, prefix] = match;
  const query = new URLSearchParams();
  if (region) {
    query.set('region', region);
  }
  if (prefix) {
    query.set('prefix', prefix.endsWith('/') ? prefix : `${prefix}/`);
  }
  const search = query.toString();
  return {
    kind: 'tfstate',
    title: `Terraform state bucket ${bucket}`,
    url: `https://s3.console.aws.amazon.com/s3/buckets/${bucket}${
      search ? `?${search}` : ''
    }`,
  };
}

function eksClusterLink(
  cluster?: string,
  region?: string,
): ServiceLink | undefined {
  const name = cluster?.trim();
  if (!name || !region) {
    return undefined;
  }
  return {
    kind: 'eks',
    title: `EKS cluster ${name}`,
    url: `${consoleHost(
      region,
    )}/eks/home?region=${region}#/clusters/${encodeURIComponent(name)}`,
  };
}

/** Dashboards are ordinary entity links of type `dashboard`. */
function dashboardLinks(entity: Entity): ServiceLink[] {
  return (entity.metadata.links ?? [])
    .filter(link => link.type === 'dashboard')
    .map(link => ({
      kind: 'dashboard',
      title: link.title ?? link.url,
      url: link.url,
    }));
}

function consoleHost(region: string): string {
  return `https://${region}.console.aws.amazon.com`;
}
