/**
 * Shared contract of the mlops plugins: catalog annotation keys, API types,
 * entity helpers and the ml-service template's rules across fields.
 *
 * @packageDocumentation
 */

export * from './annotations';
export * from './deployTags';
export * from './ecrRepository';
export * from './endpointHealth';
export * from './entity';
export * from './kubernetes';
export * from './permissions';
export * from './serviceValues';
export * from './types';
