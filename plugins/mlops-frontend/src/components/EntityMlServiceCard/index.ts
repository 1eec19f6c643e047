export { EntityMlServiceCard } from './EntityMlServiceCard';
export type { EntityMlServiceCardProps } from './EntityMlServiceCard';
