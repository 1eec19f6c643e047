export { MissingMlopsAnnotations } from './MissingMlopsAnnotations';
