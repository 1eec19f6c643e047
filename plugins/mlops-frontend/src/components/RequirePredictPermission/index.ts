export { RequirePredictPermission } from './RequirePredictPermission';
