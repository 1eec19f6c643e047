export { EndpointHealthDetails } from './EndpointHealthDetails';
