export { DryRunRenderer, InvalidValuesError } from './DryRunRenderer';
export type { RenderResult, ValueProblem } from './DryRunRenderer';
export { DEFAULT_TEMPLATE_DIR, renderWith, writeFiles } from './render';
export { readTemplateDirectory } from './templateDirectory';
export { readValuesFile } from './values';
export {
  readCatalogComponent,
  readModelName,
  runMake,
  startGeneratedServer,
} from './generatedServer';
export type { GeneratedServer } from './generatedServer';
export { pipEnvironment } from './verify/pipEnvironment';
export { seedPlatformPolicies } from './platformPolicies';
export { tagDeployedImageInMoto } from './deployedImageTag';
