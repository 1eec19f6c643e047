import { Entity } from '@backstage/catalog-model';
import { CodeSnippet, EmptyState } from '@backstage/core-components';
import Typography from '@material-ui/core/Typography';
import {
  MLOPS_ANNOTATIONS,
  MLOPS_INFERENCE_URL_ENV_PREFIX,
  MLOPS_KUBERNETES_SERVICE_ENV_PREFIX,
  STANDARD_ANNOTATIONS,
} from '@eks-mlops/backstage-plugin-mlops-common';

const TITLE = 'This entity is not set up as an ML service';
const DESCRIPTION = `Give the model's primary endpoint with ${MLOPS_ANNOTATIONS.inferenceUrl} (its base URL) or ${MLOPS_ANNOTATIONS.kubernetesService} (<cluster>/<namespace>/<service>:<port>, reached through the Kubernetes API, as the ML service template writes it without a host). Other environments take ${MLOPS_INFERENCE_URL_ENV_PREFIX}<environment> or ${MLOPS_KUBERNETES_SERVICE_ENV_PREFIX}<environment>; they only count next to a primary endpoint. The other annotations are optional: they name the model and protocol and link the image, infrastructure state and Kubernetes workloads.`;

/** A line of the example: key, value and comment; `commented` lines are an alternative. */
type ExampleLine = [string, string, string, { commented?: boolean }?];

export function exampleAnnotations(name: string): string {
  const lines: ExampleLine[] = [
    [
      MLOPS_ANNOTATIONS.inferenceUrl,
      `https://${name}.example.com`,
      `this or ${MLOPS_ANNOTATIONS.kubernetesService}`,
    ],
    [
      MLOPS_ANNOTATIONS.kubernetesService,
      `ml-prod/ml-services/${name}:http`,
      'instead of the URL',
      { commented: true },
    ],
    [MLOPS_ANNOTATIONS.inferenceEnvironment, 'prod', "the primary endpoint's"],
    [
      `${MLOPS_INFERENCE_URL_ENV_PREFIX}staging`,
      `https://${name}.staging.example.com`,
      `one per extra environment (or ${MLOPS_KUBERNETES_SERVICE_ENV_PREFIX}staging)`,
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
    ([key, value, comment, options]) =>
      `    ${options?.commented ? '# ' : ''}${key}: ${value}${
        comment ? `  # ${comment}` : ''
      }`,
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
