import { ReactNode } from 'react';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { usePermission } from '@backstage/plugin-permission-react';
import { mlopsEntityPredictPermission } from '@eks-mlops/backstage-plugin-mlops-common';
import Typography from '@material-ui/core/Typography';
import { ResponseErrorPanel } from '@backstage/core-components';

/**
 * Renders its children only for users allowed to send predictions to this
 * entity's model; the backend enforces the same permission on every call.
 */
export function RequirePredictPermission(props: {
  entity: Entity;
  children: ReactNode;
}) {
  const { loading, allowed, error } = usePermission({
    permission: mlopsEntityPredictPermission,
    resourceRef: stringifyEntityRef(props.entity),
  });
  if (loading) {
    return null;
  }
  // A failed check also reports `allowed: false`; asking the administrator
  // for a permission the user may well have would mislead.
  if (error) {
    return (
      <ResponseErrorPanel
        title="Could not check whether you may send test predictions"
        error={error}
      />
    );
  }
  if (!allowed) {
    return (
      <Typography variant="body2" color="textSecondary" role="status">
        Sending test predictions needs the '{mlopsEntityPredictPermission.name}'
        permission on this entity. Ask your Backstage administrator for it.
      </Typography>
    );
  }
  return <>{props.children}</>;
}
