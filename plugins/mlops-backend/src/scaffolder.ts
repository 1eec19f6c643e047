/**
 * The scaffolder module of the mlops plugins, for
 * `backend.add(import('@eks-mlops/backstage-plugin-mlops-backend/scaffolder'))`.
 *
 * @packageDocumentation
 */

export { scaffolderModuleMlops as default } from './module';
