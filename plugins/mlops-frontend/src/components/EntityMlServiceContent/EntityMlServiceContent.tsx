import { InfoCard, Progress } from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import Grid from '@material-ui/core/Grid';
import {
  getInferenceProtocol,
  getModelName,
} from '@eks-mlops/backstage-plugin-mlops-common';
import { useEntityHealth } from '../../hooks/useEntityHealth';
import { EntityRolloutProvider } from '../../hooks/useEntityRollout';
import { isMlServiceAvailable } from '../../isMlServiceAvailable';
import { EndpointHealthDetails } from '../EndpointHealthDetails';
import { HealthError, HealthRefreshError } from '../HealthError';
import { MissingMlopsAnnotations } from '../MissingMlopsAnnotations';
import { ModelMetadataCard } from '../ModelMetadataCard';
import { PredictPlayground } from '../PredictPlayground';
import { RequireKubernetesPlugin } from '../RequireKubernetesPlugin';
import { RequirePredictPermission } from '../RequirePredictPermission';
import { RolloutDetails } from '../RolloutDetails';
import { ServiceLinksCard } from '../ServiceLinksCard';

/** The ML service tab: health, model, rollout, links and playground. */
export function EntityMlServiceContent() {
  const { entity } = useEntity();
  if (!isMlServiceAvailable(entity)) {
    return <MissingMlopsAnnotations entity={entity} />;
  }
  return (
    <EntityRolloutProvider entity={entity}>
      <MlServiceDetails />
    </EntityRolloutProvider>
  );
}

function MlServiceDetails() {
  const { entity } = useEntity();
  const { health, loading, error } = useEntityHealth(entity);
  const metadata = health?.endpoints.find(endpoint => endpoint.model)?.model;
  return (
    <Grid container spacing={3}>
      <Grid item xs={12}>
        {loading && <Progress />}
        {error && !health && <HealthError error={error} />}
        {error && health && <HealthRefreshError error={error} />}
        {health && <EndpointHealthDetails endpoints={health.endpoints} />}
      </Grid>
      <Grid item xs={12} md={6}>
        <ModelMetadataCard
          modelName={getModelName(entity)}
          protocol={getInferenceProtocol(entity)}
          metadata={metadata}
        />
      </Grid>
      <Grid item xs={12} md={6}>
        <ServiceLinksCard entity={entity} />
      </Grid>
      <Grid item xs={12} component="section" aria-label="Rollout">
        <InfoCard title="Rollout">
          <RequireKubernetesPlugin entity={entity}>
            <RolloutDetails />
          </RequireKubernetesPlugin>
        </InfoCard>
      </Grid>
      <Grid item xs={12} component="section" aria-label="Predict playground">
        <InfoCard title="Predict playground">
          <RequirePredictPermission entity={entity}>
            <PredictPlayground entity={entity} health={health} />
          </RequirePredictPermission>
        </InfoCard>
      </Grid>
    </Grid>
  );
}
