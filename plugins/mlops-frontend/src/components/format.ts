import {
  EndpointHealth,
  PRIMARY_ENVIRONMENT_FALLBACK,
} from '@eks-mlops/backstage-plugin-mlops-common';

/** Shown where a figure is not known. */
export const PLACEHOLDER = '—';

/**
 * The name of an endpoint's environment. The primary endpoint of an entity
 * that does not say its environment (`mlops/inference-environment`) is
 * "primary".
 */
export function environmentLabel(environment: string): string {
  return environment === PRIMARY_ENVIRONMENT_FALLBACK ? 'primary' : environment;
}

export function formatLatency(milliseconds?: number): string {
  if (milliseconds === undefined) {
    return PLACEHOLDER;
  }
  if (milliseconds < 1000) {
    return `${Math.round(milliseconds)} ms`;
  }
  return `${(milliseconds / 1000).toFixed(2)} s`;
}

export function formatUptime(ratio?: number): string {
  if (ratio === undefined) {
    return PLACEHOLDER;
  }
  if (ratio >= 1) {
    return '100%';
  }
  return `${(Math.floor(ratio * 10000) / 100).toFixed(2)}%`;
}

export function formatCheckedAt(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

export function modelVersion(endpoint: EndpointHealth): string | undefined {
  return endpoint.model?.versions?.[0];
}

export function formatShape(shape: number[]): string {
  return `[${shape.map(dim => (dim < 0 ? 'any' : String(dim))).join(', ')}]`;
}
