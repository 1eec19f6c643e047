import { paginateListObjectsV2, S3Client } from '@aws-sdk/client-s3';
import { Entity } from '@backstage/catalog-model';
import { MLOPS_ANNOTATIONS } from '@eks-mlops/backstage-plugin-mlops-common';

/** Terraform state object of one environment: `<prefix>/<env>/terraform.tfstate` (the template's `<env>.s3.tfbackend`). */
const STATE_FILE = 'terraform.tfstate';
/** Region used to reach the state bucket when the Component names none (S3 follows region redirects). */
const DEFAULT_REGION = 'us-east-1';

/** Where a service's Terraform states live: the `mlops/tfstate` annotation. */
export interface StateLocation {
  bucket: string;
  prefix: string;
}

/** A service's state location with the AWS region and account to read it in. */
export interface ServiceStateLocation extends StateLocation {
  region: string;
  accountId?: string;
}

/** `s3://<bucket>/<prefix>` of the `mlops/tfstate` annotation, or undefined. */
export function parseTfstateAnnotation(
  value: string | undefined,
): StateLocation | undefined {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.+?)\/*$/.exec(
    value?.trim() ?? '',
  );
  if (!match || match[2].split('/').some(part => part === '..')) {
    return undefined;
  }
  return { bucket: match[1], prefix: match[2] };
}

/** The entity's state location from its annotations, or undefined without a valid one. */
export function serviceStateLocation(
  entity: Entity,
): ServiceStateLocation | undefined {
  const annotations = entity.metadata.annotations ?? {};
  const location = parseTfstateAnnotation(
    annotations[MLOPS_ANNOTATIONS.tfstate],
  );
  if (!location) return undefined;
  return {
    ...location,
    region: annotations[MLOPS_ANNOTATIONS.awsRegion] || DEFAULT_REGION,
    accountId: annotations[MLOPS_ANNOTATIONS.awsAccountId] || undefined,
  };
}

/** The S3 key of one environment's state. */
export function stateObjectKey(
  location: StateLocation,
  environment: string,
): string {
  return `${location.prefix}/${environment}/${STATE_FILE}`;
}

/** `s3://<bucket>/<prefix>/`: where all of a service's states are. */
export function statePrefixUrl(location: StateLocation): string {
  return `s3://${location.bucket}/${location.prefix}/`;
}

/** `s3://<bucket>/<key>` of one environment's state. */
export function stateUrl(location: StateLocation, environment: string): string {
  return `s3://${location.bucket}/${stateObjectKey(location, environment)}`;
}

/**
 * The environments that have a state object under the location's prefix,
 * sorted. Only `<prefix>/<env>/terraform.tfstate` counts: not a lock file
 * alone, another service under a longer prefix, or one nested below it.
 */
export async function environmentsWithState(
  s3: S3Client,
  location: StateLocation,
  abortSignal?: AbortSignal,
): Promise<string[]> {
  const folder = `${location.prefix}/`;
  const environments: string[] = [];
  const pages = paginateListObjectsV2(
    { client: s3 },
    { Bucket: location.bucket, Prefix: folder },
    { abortSignal },
  );
  for await (const page of pages) {
    for (const { Key } of page.Contents ?? []) {
      const [environment, file, ...deeper] = (Key ?? '')
        .slice(folder.length)
        .split('/');
      if (environment && file === STATE_FILE && deeper.length === 0) {
        environments.push(environment);
      }
    }
  }
  return environments.sort();
}
