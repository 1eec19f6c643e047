export { ServiceLinksCard } from './ServiceLinksCard';
