/**
 * Backend of the mlops plugins: the `mlops` plugin and the scaffolder actions
 * that bootstrap the Terraform state bucket, the ECR repository and the
 * GitHub Actions CI roles, and check the ml-service template's values.
 *
 * @packageDocumentation
 */

export { mlopsPlugin as default } from './plugin';
export { scaffolderModuleMlops } from './module';
export { catalogModuleMlopsClusters } from './catalog/module';
export { createTfstateEnsureAction } from './actions/tfstateEnsure';
export { createEcrEnsureAction } from './actions/ecrEnsure';
export { createGithubOidcEnsureAction } from './actions/githubOidcEnsure';
export { createGithubOidcSubjectAction } from './actions/githubOidcSubject';
export { createMlServiceValidateAction } from './actions/mlServiceValidate';
