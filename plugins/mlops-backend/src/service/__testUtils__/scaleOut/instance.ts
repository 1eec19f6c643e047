/*
 * One backend instance of the scale-out test, run as its own process:
 * a real Backstage backend (backend-defaults) with the mlops plugin and a
 * fixed set of catalog entities. The test passes its app config and the
 * entities as JSON in MLOPS_SCALE_OUT_INSTANCE; every log line is written to
 * stdout as one JSON object ({ time, level, message, ...meta }), followed by
 * { event: 'started' } once the backend listens. It stops when the test
 * process goes away.
 */
import { createBackend } from '@backstage/backend-defaults';
import {
  coreServices,
  createServiceFactory,
  LoggerService,
  RootLoggerService,
} from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import { JsonObject } from '@backstage/types';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { mlopsPlugin } from '../../../plugin';

export interface InstanceSettings {
  config: JsonObject;
  entities: Entity[];
}

function writeLine(line: object): void {
  process.stdout.write(`${JSON.stringify({ time: Date.now(), ...line })}\n`);
}

function describeError(value: unknown): unknown {
  return value instanceof Error ? `${value.name}: ${value.message}` : value;
}

function jsonLinesLogger(
  fields: object = {},
): LoggerService & RootLoggerService {
  const log = (level: string) => (message: string, meta?: Error | JsonObject) =>
    writeLine({
      level,
      message,
      ...fields,
      ...(meta instanceof Error ? { error: describeError(meta) } : meta),
    });
  return {
    error: log('error'),
    warn: log('warn'),
    info: log('info'),
    debug: () => {},
    child: meta => jsonLinesLogger({ ...fields, ...meta }),
  };
}

async function main() {
  const settings: InstanceSettings = JSON.parse(
    process.env.MLOPS_SCALE_OUT_INSTANCE ?? '',
  );
  const backend = createBackend();
  backend.add(
    createServiceFactory({
      service: coreServices.rootConfig,
      deps: {},
      factory: () => new ConfigReader(settings.config),
    }),
  );
  backend.add(
    createServiceFactory({
      service: coreServices.rootLogger,
      deps: {},
      factory: () => jsonLinesLogger(),
    }),
  );
  backend.add(catalogServiceMock.factory({ entities: settings.entities }));
  backend.add(mlopsPlugin);
  // Without the test process (its IPC channel closed) there is no one to
  // read the log: stop, and exit even if stopping hangs.
  process.stdout.on('error', () => {});
  process.on('disconnect', () => {
    setTimeout(() => process.exit(1), 5_000).unref();
    backend.stop().finally(() => process.exit(1));
  });
  await backend.start();
  writeLine({ event: 'started' });
}

main().catch(error => {
  writeLine({ level: 'error', message: describeError(error) });
  process.exit(1);
});
