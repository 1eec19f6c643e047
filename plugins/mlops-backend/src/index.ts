/**
 * Backend of the mlops plugins: the `mlops` plugin and the scaffolder actions
 * that bootstrap the Terraform state bucket and the ECR repository.
 *
 * @packageDocumentation
 */

export { mlopsPlugin as default } from './plugin';
export { scaffolderModuleMlops } from './module';
export { createTfstateEnsureAction } from './actions/tfstateEnsure';
export { createEcrEnsureAction } from './actions/ecrEnsure';
