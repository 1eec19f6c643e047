import { ReactNode } from 'react';
import { Entity } from '@backstage/catalog-model';
import { WarningPanel } from '@backstage/core-components';
import { useApiHolder } from '@backstage/core-plugin-api';
import {
  KUBERNETES_ANNOTATION,
  KUBERNETES_LABEL_SELECTOR_QUERY_ANNOTATION,
} from '@backstage/plugin-kubernetes-common';
import Typography from '@material-ui/core/Typography';
import { isKubernetesPluginInstalled } from '../../hooks/useEntityRollout';
import { hasKubernetesAnnotation } from '../../kubernetes/annotations';

const PLUGIN_MISSING = {
  title: 'Kubernetes plugin not installed',
  message:
    'Rollout status comes from the Backstage Kubernetes plugin. Add @backstage/plugin-kubernetes to the app and @backstage/plugin-kubernetes-backend to the backend to see deployments, pods and autoscaling here.',
};

const ANNOTATION_MISSING = {
  title: 'No Kubernetes annotation',
  message: `Add the ${KUBERNETES_ANNOTATION} annotation (or ${KUBERNETES_LABEL_SELECTOR_QUERY_ANNOTATION}) to this entity so its workloads can be found.`,
};

/**
 * Renders its children, which may use the Kubernetes plugin's APIs, only when
 * the app has that plugin and the entity says how to find its workloads;
 * otherwise explains what is missing.
 */
export function RequireKubernetesPlugin(props: {
  entity: Entity;
  compact?: boolean;
  children: ReactNode;
}) {
  const apis = useApiHolder();
  if (!isKubernetesPluginInstalled(apis)) {
    return <Notice compact={props.compact} {...PLUGIN_MISSING} />;
  }
  if (!hasKubernetesAnnotation(props.entity)) {
    return <Notice compact={props.compact} {...ANNOTATION_MISSING} />;
  }
  return <>{props.children}</>;
}

function Notice(props: { compact?: boolean; title: string; message: string }) {
  if (props.compact) {
    return (
      <Typography variant="body2" color="textSecondary" role="status">
        <strong>{props.title}.</strong> {props.message}
      </Typography>
    );
  }
  return (
    <WarningPanel severity="info" title={props.title} message={props.message} />
  );
}
