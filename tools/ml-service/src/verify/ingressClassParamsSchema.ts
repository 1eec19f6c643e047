/*
 * JSON schema of EKS Auto Mode's IngressClassParams (eks.amazonaws.com/v1), for the schema
 * check of k8s/auto-mode/cluster.yaml. EKS does not publish this CRD (Auto Mode installs it in
 * the cluster), so the schema is vendored by hand:
 * - fields and types: the AWS Load Balancer Controller's own CRD, ingressclassparams.elbv2.k8s.aws
 *   v1beta1, as shipped in its Helm chart 3.5.0 (controller v3.5.0,
 *   helm/aws-load-balancer-controller/crds/crds.yaml in kubernetes-sigs/aws-load-balancer-controller);
 * - with the differences the Amazon EKS User Guide lists for Auto Mode ("Create an IngressClass
 *   to configure an Application Load Balancer", auto-configure-alb, IngressClassParams table):
 *   certificateArn → certificateARNs (a list), subnets.tags → subnets.matchTags, listeners not
 *   supported.
 * Only the fields below are accepted, so a misspelt or unsupported one fails the check the way
 * the API server's structural schema would prune or refuse it.
 */

const keyValueList = {
  type: 'array',
  items: {
    type: 'object',
    required: ['key', 'value'],
    additionalProperties: false,
    properties: { key: { type: 'string' }, value: { type: 'string' } },
  },
};

const labelSelector = {
  type: 'object',
  additionalProperties: false,
  properties: {
    matchLabels: {
      type: 'object',
      additionalProperties: { type: 'string' },
    },
    matchExpressions: {
      type: 'array',
      items: {
        type: 'object',
        required: ['key', 'operator'],
        additionalProperties: false,
        properties: {
          key: { type: 'string' },
          operator: { type: 'string' },
          values: { type: 'array', items: { type: 'string' } },
        },
      },
    },
  },
};

export const INGRESS_CLASS_PARAMS_SCHEMA = {
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata'],
  additionalProperties: false,
  properties: {
    apiVersion: { enum: ['eks.amazonaws.com/v1'] },
    kind: { enum: ['IngressClassParams'] },
    metadata: {
      type: 'object',
      required: ['name'],
      properties: {
        name: {
          type: 'string',
          pattern: '^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$',
        },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        annotations: {
          type: 'object',
          additionalProperties: { type: 'string' },
        },
      },
    },
    spec: {
      type: 'object',
      additionalProperties: false,
      properties: {
        certificateARNs: { type: 'array', items: { type: 'string' } },
        group: {
          type: 'object',
          required: ['name'],
          additionalProperties: false,
          properties: { name: { type: 'string' } },
        },
        ipAddressType: { enum: ['ipv4', 'dualstack'] },
        loadBalancerAttributes: keyValueList,
        namespaceSelector: labelSelector,
        scheme: { enum: ['internal', 'internet-facing'] },
        sslPolicy: { type: 'string' },
        subnets: {
          type: 'object',
          additionalProperties: false,
          properties: {
            ids: {
              type: 'array',
              minItems: 1,
              items: { type: 'string', pattern: '^subnet-[0-9a-f]+$' },
            },
            matchTags: {
              type: 'array',
              items: {
                type: 'object',
                required: ['key'],
                additionalProperties: false,
                properties: {
                  key: { type: 'string' },
                  values: { type: 'array', items: { type: 'string' } },
                },
              },
            },
          },
        },
        tags: keyValueList,
      },
    },
  },
};
