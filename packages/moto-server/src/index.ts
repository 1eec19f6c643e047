/**
 * A real moto server (the AWS emulator) on a loopback port, stopped with the
 * process that started it.
 *
 * @packageDocumentation
 */

export {
  MOTO_ACCOUNT_ID,
  MOTO_CREDENTIALS,
  motoCommand,
  startMotoServer,
} from './motoServer';
export type { MotoServer, MotoServerOptions } from './motoServer';
