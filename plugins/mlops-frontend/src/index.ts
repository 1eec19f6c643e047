/**
 * Backstage frontend for ML services on AWS EKS: an entity card and tab with
 * endpoint health, rollout and a predict playground, and a fleet page.
 *
 * @packageDocumentation
 */

export {
  mlopsPlugin,
  EntityMlServiceCard,
  EntityMlServiceContent,
  MlFleetPage,
} from './plugin';
export type { EntityMlServiceCardProps } from './components/EntityMlServiceCard';
export { isMlServiceAvailable } from './isMlServiceAvailable';
export { rootRouteRef } from './routes';
export * from './api';
