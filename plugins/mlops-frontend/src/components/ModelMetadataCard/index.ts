export { ModelMetadataCard } from './ModelMetadataCard';
