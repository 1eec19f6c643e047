export { EntityMlServiceContent } from './EntityMlServiceContent';
