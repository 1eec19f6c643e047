import { useMemo } from 'react';
import {
  Content,
  EmptyState,
  Header,
  Page,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Typography from '@material-ui/core/Typography';
import { MLOPS_ANNOTATIONS } from '@eks-mlops/backstage-plugin-mlops-common';
import useAsync from 'react-use/esm/useAsync';
import { mlopsApiRef } from '../../api';
import { useFleetReplicas } from '../../hooks/useFleetReplicas';
import { FleetTable, fleetRows } from '../FleetTable';
import { formatCheckedAt } from '../format';
import {
  isMlopsBackendMissing,
  MissingMlopsBackend,
} from '../MissingMlopsBackend';

/** The fleet page with its own header, for apps on the legacy frontend system. */
export function MlFleetPage() {
  return (
    <Page themeId="tool">
      <Header
        title="ML services"
        subtitle="Every model endpoint in the catalog and how it is doing"
      />
      <Content>
        <MlFleetContent />
      </Content>
    </Page>
  );
}

/** The fleet without page chrome; the new frontend system adds its own. */
export function MlFleetContent() {
  const api = useApi(mlopsApiRef);
  const {
    value: fleet,
    loading,
    error,
  } = useAsync(() => api.getFleet(), [api]);
  const entityRefs = useMemo(
    () => (fleet?.items ?? []).map(item => item.entityRef),
    [fleet],
  );
  const replicas = useFleetReplicas(entityRefs);
  const rows = useMemo(
    () => fleetRows(fleet?.items ?? [], replicas.deploymentOf),
    [fleet, replicas],
  );

  if (loading) {
    return <Progress />;
  }
  if (error && isMlopsBackendMissing(error)) {
    return <MissingMlopsBackend />;
  }
  if (error || !fleet) {
    return <ResponseErrorPanel error={error ?? new Error('No answer')} />;
  }
  if (fleet.items.length === 0) {
    return (
      <EmptyState
        missing="data"
        title="No ML services yet"
        description={`Components that declare a primary model endpoint, with the ${MLOPS_ANNOTATIONS.inferenceUrl} or ${MLOPS_ANNOTATIONS.kubernetesService} annotation, appear here. Create one with the "Create new ML service" template, or annotate an existing component with the URL or Kubernetes Service of its model endpoint.`}
      />
    );
  }
  return (
    <>
      {fleet.generatedAt && (
        <Typography variant="body2" color="textSecondary" paragraph>
          Health as of {formatCheckedAt(fleet.generatedAt)}.
        </Typography>
      )}
      <FleetTable rows={rows} replicas={replicas} />
    </>
  );
}
