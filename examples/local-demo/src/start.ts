/*
 * yarn start: the example Backstage app with the local demo's emulators, model servers and
 * Kubernetes API simulation. Ctrl-C stops everything.
 */
import { startLocalDemo } from './startLocalDemo';

const log = (line: string) => process.stdout.write(`[local demo] ${line}\n`);

function announce(emulators: string[], url: string) {
  const lines = [
    'LOCAL DEMO: this runs against local emulators, not against your cloud:',
    ...emulators.map(line => `  - ${line}`),
    '',
    `Open ${url} and sign in as guest.`,
    'Ctrl-C stops everything.',
  ];
  const width = Math.max(...lines.map(line => line.length)) + 4;
  const rule = '='.repeat(width);
  process.stdout.write(
    `\n${rule}\n${lines.map(l => `  ${l}`).join('\n')}\n${rule}\n\n`,
  );
}

async function main() {
  log('preparing: moto, the demo model servers and the Kubernetes simulation');
  const demo = await startLocalDemo({
    frontend:
      process.env.LOCAL_DEMO_FRONTEND === 'bundle' ? 'bundle' : 'dev-server',
    backendPort: 7007,
    appPort: 3000,
    log,
    echo: true,
  });
  announce(demo.emulators, demo.appUrl);
  let stopping = false;
  const stop = () => {
    if (stopping) {
      return;
    }
    stopping = true;
    log('stopping');
    demo.stop().finally(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch(error => {
  process.stderr.write(
    `[local demo] failed: ${error instanceof Error ? error.stack : error}\n`,
  );
  process.exit(1);
});
