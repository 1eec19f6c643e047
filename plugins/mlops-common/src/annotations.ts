/**
 * Catalog annotations read by the mlops plugins. Every key is defined here once.
 *
 * @public
 */
export const MLOPS_ANNOTATIONS = {
  /** Model name used in inference protocol paths; defaults to the entity name. */
  modelName: 'mlops/model-name',
  /** Base URL of the primary inference endpoint. */
  inferenceUrl: 'mlops/inference-url',
  /**
   * The environment the primary `mlops/inference-url` belongs to, such as
   * `prod`. Without it the primary endpoint is labelled
   * {@link PRIMARY_ENVIRONMENT_FALLBACK}.
   */
  inferenceEnvironment: 'mlops/inference-environment',
  /**
   * Reach the primary endpoint through the Kubernetes API server's service
   * proxy instead of a URL: `[<cluster>/]<namespace>/<service>[:<port>]`,
   * for example `prod-eks/ml-services/churn-model:http`. The cluster is a
   * name the Kubernetes plugin has configured (it may be left out when it
   * configures exactly one); namespace and service are DNS-1123 labels; the
   * port is the Service port's name or number (default `http`). Ignored when
   * `mlops/inference-url` is set. `mlops/kubernetes-service-<env>` declares
   * another environment, as `mlops/inference-url-<env>` does. See
   * {@link parseKubernetesServiceTarget} and {@link getInferenceEndpoints}.
   */
  kubernetesService: 'mlops/kubernetes-service',
  /** `v2` (Open Inference Protocol, default) or `v1` (KServe V1). */
  inferenceProtocol: 'mlops/inference-protocol',
  /** URI of the ECR repository holding the service image (see `parseEcrRepositoryUri`). */
  ecrRepository: 'mlops/ecr-repository',
  /** `s3://<bucket>/<key prefix>` of the Terraform state. */
  tfstate: 'mlops/tfstate',
  awsRegion: 'mlops/aws-region',
  awsAccountId: 'mlops/aws-account-id',
  eksCluster: 'mlops/eks-cluster',
} as const;

/**
 * The environment name of the primary endpoint when the entity does not say
 * which environment it belongs to (`mlops/inference-environment`).
 *
 * @public
 */
export const PRIMARY_ENVIRONMENT_FALLBACK = 'default';

/**
 * Prefix of the per-environment inference URL annotations, as in
 * `mlops/inference-url-staging`.
 *
 * @public
 */
export const MLOPS_INFERENCE_URL_ENV_PREFIX = `${MLOPS_ANNOTATIONS.inferenceUrl}-`;

/**
 * Prefix of the per-environment Kubernetes target annotations, as in
 * `mlops/kubernetes-service-staging`.
 *
 * @public
 */
export const MLOPS_KUBERNETES_SERVICE_ENV_PREFIX = `${MLOPS_ANNOTATIONS.kubernetesService}-`;

/**
 * Standard Backstage annotations the mlops plugins rely on.
 *
 * @public
 */
export const STANDARD_ANNOTATIONS = {
  kubernetesId: 'backstage.io/kubernetes-id',
  kubernetesNamespace: 'backstage.io/kubernetes-namespace',
  /** The cluster of the entity's workloads (read by the Kubernetes plugin's single-tenant locator). */
  kubernetesCluster: 'backstage.io/kubernetes-cluster',
  githubProjectSlug: 'github.com/project-slug',
  techdocsRef: 'backstage.io/techdocs-ref',
} as const;
