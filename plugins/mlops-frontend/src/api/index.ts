export { MlopsClient } from './MlopsClient';
export { mlopsApiRef } from './types';
export type { MlopsApi } from './types';
