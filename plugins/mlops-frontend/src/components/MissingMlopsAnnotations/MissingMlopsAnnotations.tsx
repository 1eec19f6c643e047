import { Entity } from '@backstage/catalog-model';
import { CodeSnippet, EmptyState } from '@backstage/core-components';
import Typography from '@material-ui/core/Typography';
import {
  MLOPS_ANNOTATIONS,
  MLOPS_INFERENCE_URL_ENV_PREFIX,
  STANDARD_ANNOTATIONS,
} from '@eks-mlops/backstage-plugin-mlops-common';

const TITLE = 'This entity is not set up as an ML service';
const DESCRIPTION = `Add the ${MLOPS_ANNOTATIONS.inferenceUrl} annotation with the base URL of the model's endpoint (and ${MLOPS_INFERENCE_URL_ENV_PREFIX}<environment> for other environments). The other annotations are optional: they name the model and protocol and link the image, infrastructure state and Kubernetes workloads.`;

export function exampleAnnotations(name: string): string {
  const lines: Array<[string, string, string]> = [
    [MLOPS_ANNOTATIONS.inferenceUrl, `https://${name}.example.com`, 'required'],
    [
      `${MLOPS_INFERENCE_URL_ENV_PREFIX}staging`,
      `https://${name}.staging.example.com`,
      'one per extra environment',
    ],
    [MLOPS_ANNOTATIONS.inferenceProtocol, 'v2', 'v2 (default) or v1'],
    [MLOPS_ANNOTATIONS.modelName, name, 'defaults to the entity name'],
    [STANDARD_ANNOTATIONS.kubernetesId, name, 'rollout status'],
    [
      MLOPS_ANNOTATIONS.ecrRepository,
      `123456789012.dkr.ecr.eu-west-1.amazonaws.com/${name}`,
      'image links',
    ],
    [
      MLOPS_ANNOTATIONS.tfstate,
      `s3://acme-tfstate/${name}`,
      'state bucket link',
    ],
    [MLOPS_ANNOTATIONS.awsRegion, 'eu-west-1', ''],
  ];
  const body = lines.map(
    ([key, value, comment]) =>
      `    ${key}: ${value}${comment ? `  # ${comment}` : ''}`,
  );
  return ['metadata:', '  annotations:', ...body].join('\n');
}

/** What to add to an entity's catalog-info.yaml to make it an ML service. */
export function MissingMlopsAnnotations(props: {
  entity: Entity;
  compact?: boolean;
}) {
  const snippet = (
    <CodeSnippet
      language="yaml"
      text={exampleAnnotations(props.entity.metadata.name)}
      showCopyCodeButton
    />
  );
  if (props.compact) {
    return (
      <>
        <Typography variant="subtitle2" component="h3" gutterBottom>
          {TITLE}
        </Typography>
        <Typography variant="body2" paragraph>
          {DESCRIPTION}
        </Typography>
        {snippet}
      </>
    );
  }
  return (
    <EmptyState
      missing="field"
      title={TITLE}
      description={DESCRIPTION}
      action={snippet}
    />
  );
}
