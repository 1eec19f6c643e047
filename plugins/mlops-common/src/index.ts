/**
 * Shared contract of the mlops plugins: catalog annotation keys, API types
 * and entity helpers.
 *
 * @packageDocumentation
 */

export * from './annotations';
export * from './entity';
export * from './kubernetes';
export * from './permissions';
export * from './types';
