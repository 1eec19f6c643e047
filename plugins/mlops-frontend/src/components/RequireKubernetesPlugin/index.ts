export { RequireKubernetesPlugin } from './RequireKubernetesPlugin';
