/*
 * `yarn start`: a standalone Backstage backend with the scaffolder, the mlops
 * scaffolder module and the mlops plugin. Without `mlops.aws.endpoint` or AWS
 * credentials configured it starts a local moto server and points the actions
 * at it, so nothing touches a real AWS account. The backend stops itself on
 * SIGINT and SIGTERM; moto is killed when this process exits.
 */
import { createBackend } from '@backstage/backend-defaults';
import { MOTO_CREDENTIALS, startMotoServer } from '@internal/moto-server';

async function startLocalAwsEmulator() {
  if (
    process.env.APP_CONFIG_mlops_aws_endpoint ||
    process.env.MLOPS_USE_REAL_AWS
  ) {
    return;
  }
  const moto = await startMotoServer();
  process.env.APP_CONFIG_mlops_aws_endpoint = moto.endpoint;
  process.env.APP_CONFIG_aws_mainAccount_accessKeyId =
    MOTO_CREDENTIALS.accessKeyId;
  process.env.APP_CONFIG_aws_mainAccount_secretAccessKey =
    MOTO_CREDENTIALS.secretAccessKey;
  console.log(
    `\n  LOCAL EMULATOR: the mlops actions talk to moto at ${moto.endpoint}, not to AWS.` +
      `\n  Set MLOPS_USE_REAL_AWS=1 and configure aws.mainAccount to use a real account.\n`,
  );
}

startLocalAwsEmulator().then(() => {
  const backend = createBackend();
  backend.add(import('@backstage/plugin-scaffolder-backend'));
  backend.add(import('../src/scaffolder'));
  backend.add(import('../src'));
  backend.start();
});
