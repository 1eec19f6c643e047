/*
 * For the tests that run the skeleton's workflow scripts (.github/scripts/) as a GitHub job would:
 * where each script is, the environment that points the AWS CLI at moto and nowhere else, a
 * stand-in for one GitHub endpoint, and the tokens GitHub's OIDC endpoint hands out.
 */
import http from 'node:http';
import { AddressInfo } from 'node:net';
import path from 'node:path';
import {
  MOTO_ACCOUNT_ID,
  MOTO_CREDENTIALS,
  MotoServer,
} from '@internal/moto-server';
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

/** A local HTTP server standing in for one endpoint a workflow script calls. */
export interface StandIn {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** Each request's method, path with query and Authorization header. */
  seen: string[];
  close(): Promise<void>;
}

/** Answers every request with `status` and the text `body`, recording what was asked. */
export async function textStandIn(
  status: number,
  body: string,
  contentType = 'text/plain',
): Promise<StandIn> {
  const seen: string[] = [];
  const server = http.createServer((request, response) => {
    seen.push(
      `${request.method} ${request.url} ${request.headers.authorization}`,
    );
    response.writeHead(status, { 'Content-Type': contentType });
    response.end(body);
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise(resolve => server.close(() => resolve())),
  };
}

/** Answers every request with `status` and `body` as JSON, recording what was asked. */
export function jsonStandIn(status: number, body: unknown): Promise<StandIn> {
  return textStandIn(status, JSON.stringify(body), 'application/json');
}

const base64url = (value: unknown) =>
  Buffer.from(JSON.stringify(value)).toString('base64url');

/** A JWT with `claims` and a made-up signature, as GitHub's OIDC token endpoint hands one out: the scripts read its claims only. */
export function unsignedToken(claims: Record<string, unknown>): string {
  return `${base64url({ alg: 'RS256', typ: 'JWT', kid: 'k1' })}.${base64url(
    claims,
  )}.c2lnbmF0dXJl`;
}
