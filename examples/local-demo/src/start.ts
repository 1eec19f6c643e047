/*
 * yarn start: the example Backstage app with the local demo's emulators, model servers and
 * Kubernetes API simulation. Ctrl-C, SIGTERM or SIGHUP (to this process or its process group) stops
 * everything; so does the death of the process that started it.
 */
import { PortsInUseError } from './ports';
import { isShuttingDown, stopEverythingOnShutdown } from './processes';
import { LocalDemo, startLocalDemo } from './startLocalDemo';

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
  const running: { demo?: LocalDemo } = {};
  stopEverythingOnShutdown({
    stop: async () => running.demo?.stop(),
    exitCode: () => 0,
    log,
  });
  log('preparing: moto, the demo model servers and the Kubernetes simulation');
  running.demo = await startLocalDemo({
    frontend:
      process.env.LOCAL_DEMO_FRONTEND === 'bundle' ? 'bundle' : 'dev-server',
    backendPort: 7007,
    appPort: 3000,
    log,
    echo: true,
  });
  announce(running.demo.emulators, running.demo.appUrl);
}

main().catch(error => {
  if (isShuttingDown()) {
    return;
  }
  const reason =
    error instanceof PortsInUseError ? error.message : error?.stack ?? error;
  process.stderr.write(`[local demo] failed: ${reason}\n`);
  process.exit(1);
});
