export { createOutboundClient } from './OutboundClient';
export type {
  OutboundClient,
  OutboundGuardOptions,
  OutboundRequest,
  OutboundResponse,
} from './OutboundClient';
export { OutboundError } from './OutboundError';
export { parseJsonBody } from './parseJsonBody';
export { classifyAddress, refusalReason } from './addressPolicy';
export type { AddressCategory } from './addressPolicy';
export { hostMatchesPattern, isHostAllowed } from './hostPolicy';
