/*
 * For the tests that run the skeleton's workflow scripts (.github/scripts/) as a GitHub job would:
 * where each script is, and the environment that points the AWS CLI at moto and nowhere else.
 */
import path from 'node:path';
import { MOTO_ACCOUNT_ID, MOTO_CREDENTIALS, MotoServer } from '../motoServer';
import { DEFAULT_TEMPLATE_DIR } from '../render';

/** The path of `.github/scripts/<name>` in the template's skeleton. */
export function skeletonScript(name: string): string {
  return path.join(DEFAULT_TEMPLATE_DIR, 'skeleton/.github/scripts', name);
}

/** The AWS CLI's settings for moto in `region`: no profile or credentials file of the machine is read. */
export function awsCliEnvironment(
  moto: MotoServer,
  region: string,
): Record<string, string> {
  return {
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_ENDPOINT_URL: moto.endpoint,
    AWS_ACCESS_KEY_ID: MOTO_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey,
    AWS_DEFAULT_REGION: region,
    AWS_REGION: region,
    AWS_ACCOUNT_ID: MOTO_ACCOUNT_ID,
  };
}
