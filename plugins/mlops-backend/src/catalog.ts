/**
 * The catalog module of the mlops plugins, for
 * `backend.add(import('@eks-mlops/backstage-plugin-mlops-backend/catalog'))`.
 *
 * @packageDocumentation
 */

export { catalogModuleMlopsClusters as default } from './catalog/module';
