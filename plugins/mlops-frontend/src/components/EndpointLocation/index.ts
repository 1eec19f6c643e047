export { EndpointLocation } from './EndpointLocation';
