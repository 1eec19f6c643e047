import { Link } from '@backstage/core-components';
import {
  describeEndpointLocation,
  isKubernetesEndpointUrl,
} from '@eks-mlops/backstage-plugin-mlops-common';
import { ReactNode } from 'react';

/**
 * Where an endpoint is: its URL as a link, or, for an endpoint reached through
 * the Kubernetes API server's service proxy, `k8s: <cluster>/<ns>/<svc>:<port>`
 * as text (there is nothing a browser could open).
 */
export function EndpointLocation(props: { url: string; children?: ReactNode }) {
  const { url, children } = props;
  if (isKubernetesEndpointUrl(url)) {
    return (
      <span title="Reached through the Kubernetes API server's service proxy">
        {children ?? describeEndpointLocation(url)}
      </span>
    );
  }
  return <Link to={url}>{children ?? url}</Link>;
}
