export { MissingMlopsBackend } from './MissingMlopsBackend';
export {
  isMlopsBackendMissing,
  isUnknownToMlopsBackend,
} from './backendErrors';
