import { ResponseErrorPanel, WarningPanel } from '@backstage/core-components';
import {
  isMlopsBackendMissing,
  isUnknownToMlopsBackend,
  MissingMlopsBackend,
} from '../MissingMlopsBackend';

/** Why the health of an entity could not be shown. */
export function HealthError(props: { error: Error }) {
  if (isUnknownToMlopsBackend(props.error)) {
    return (
      <WarningPanel
        severity="info"
        title="Not known to the mlops backend yet"
        message="The backend reads ML services from the catalog and probes them on a schedule; this entity has not been picked up yet. Check again after the next catalog refresh."
      />
    );
  }
  if (isMlopsBackendMissing(props.error)) {
    return <MissingMlopsBackend />;
  }
  return <ResponseErrorPanel error={props.error} />;
}
