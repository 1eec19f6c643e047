import { ReactNode } from 'react';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { usePermission } from '@backstage/plugin-permission-react';
import { mlopsEntityPredictPermission } from '@eks-mlops/backstage-plugin-mlops-common';
import Typography from '@material-ui/core/Typography';

/**
 * Renders its children only for users allowed to send predictions to this
 * entity's model; the backend enforces the same permission on every call.
 */
export function RequirePredictPermission(props: {
  entity: Entity;
  children: ReactNode;
}) {
  const { loading, allowed } = usePermission({
    permission: mlopsEntityPredictPermission,
    resourceRef: stringifyEntityRef(props.entity),
  });
  if (loading) {
    return null;
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
