import { freePort } from '@internal/local-processes';
import { motoCommand } from '@internal/moto-server';
import { ManagedProcess, startProcess, waitForHttp } from './processes';

export { MOTO_ACCOUNT_ID, MOTO_CREDENTIALS } from '@internal/moto-server';
export {
  seedPlatformPolicies,
  tagDeployedImageInMoto,
} from '@internal/ml-service-tools';

/** A moto server (the AWS emulator) on a free loopback port, with the AWS-managed IAM policies. */
export async function startMoto(): Promise<{
  endpoint: string;
  process: ManagedProcess;
}> {
  const port = await freePort();
  const [command, prefix] = motoCommand();
  const moto = startProcess(
    'moto',
    command,
    [...prefix, '-H', '127.0.0.1', '-p', String(port)],
    // Its IAM then holds the AWS-managed policies every account has, such as
    // ReadOnlyAccess, the CI plan role's default.
    { env: { ...process.env, MOTO_IAM_LOAD_MANAGED_POLICIES: 'true' } },
  );
  const endpoint = `http://127.0.0.1:${port}`;
  await waitForHttp(`${endpoint}/moto-api/data.json`, {
    timeoutMs: 30_000,
    process: moto,
  });
  return { endpoint, process: moto };
}
