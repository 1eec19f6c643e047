export { MlFleetContent, MlFleetPage } from './MlFleetPage';
