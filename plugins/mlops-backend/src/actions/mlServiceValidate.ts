import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { serviceValueProblems } from '@eks-mlops/backstage-plugin-mlops-common';
import { FieldSpec, withTitles, zodFields } from './fields';
import { examples } from './mlServiceValidate.examples';

const optionalText = (z: Parameters<FieldSpec['type']>[0]) =>
  z.string().optional();
const optionalCount = (z: Parameters<FieldSpec['type']>[0]) =>
  z.number().int().optional();

const inputs = {
  awsAccountId: {
    title: 'AWS account ID',
    description: "The service's 12-digit account.",
    type: z => z.string(),
  },
  awsRegion: {
    title: 'AWS region',
    description: "The service's region, e.g. eu-west-1.",
    type: optionalText,
  },
  environments: {
    title: 'Environments',
    description:
      'The environments in deployment order; all but the last serve <environment>-<host>.',
    type: z => z.array(z.string()).optional(),
  },
  nodeMinSize: {
    title: 'Minimum nodes',
    description: 'Node group minimum, with its default applied.',
    type: optionalCount,
  },
  nodeMaxSize: {
    title: 'Maximum nodes',
    description: 'Node group maximum, with its default applied.',
    type: optionalCount,
  },
  replicasMin: {
    title: 'Minimum replicas',
    description: 'Autoscaler minimum, with its default applied.',
    type: optionalCount,
  },
  replicasMax: {
    title: 'Maximum replicas',
    description: 'Autoscaler maximum, with its default applied.',
    type: optionalCount,
  },
  cpuRequest: {
    title: 'CPU request',
    description: 'Kubernetes CPU quantity per pod, e.g. 250m.',
    type: optionalText,
  },
  cpuLimit: {
    title: 'CPU limit',
    description: 'Kubernetes CPU quantity per pod, e.g. 1.',
    type: optionalText,
  },
  memoryRequest: {
    title: 'Memory request',
    description: 'Kubernetes memory quantity per pod, e.g. 512Mi.',
    type: optionalText,
  },
  memoryLimit: {
    title: 'Memory limit',
    description: 'Kubernetes memory quantity per pod, e.g. 1Gi.',
    type: optionalText,
  },
  endpointVisibility: {
    title: 'Endpoint visibility',
    description: 'internal or public.',
    type: optionalText,
  },
  host: {
    title: 'Host name',
    description: 'DNS name of the endpoint; empty for none.',
    type: optionalText,
  },
  certificateArn: {
    title: 'ACM certificate ARN',
    description: 'Certificate for HTTPS; empty for none.',
    type: optionalText,
  },
  ciRoles: {
    title: 'CI roles',
    description: 'create, or existing when the roles below are given.',
    type: optionalText,
  },
  existingPlanRoleArn: {
    title: 'Existing plan role',
    description: 'With ciRoles existing: the role pull requests plan with.',
    type: optionalText,
  },
  existingTerraformRoleArns: {
    title: 'Existing Terraform roles',
    description:
      "With ciRoles existing: each environment's Terraform role, by environment.",
    type: z => z.record(z.string()).optional(),
  },
} satisfies Record<string, FieldSpec>;

/**
 * Creates the `mlops:ml-service:validate` action: the ml-service template's
 * first step. It checks the rules that span two of the template's fields
 * (maximum at least minimum, limit at least request, a host with a public
 * certificate, each environment's host a DNS name, the certificate in the
 * service's account and region, existing roles in its account), which the
 * scaffolder's form and REST API cannot check, so that a task with such
 * values fails before any step creates something. It reads and writes
 * nothing; a dry run checks the same.
 *
 * @public
 */
export function createMlServiceValidateAction() {
  const action = createTemplateAction({
    id: 'mlops:ml-service:validate',
    description:
      "Checks the ml-service template's values that span two fields (sizes, resources, each environment's host, " +
      "the certificate's account and region, existing roles' account), before anything is created; fails naming each field and its fix.",
    examples,
    supportsDryRun: true,
    schema: { input: zodFields(inputs), output: zodFields({}) },
    async handler(ctx) {
      const problems = serviceValueProblems(ctx.input);
      if (problems.length > 0) {
        throw new InputError(
          `Invalid values, nothing was created:\n${problems
            .map(p => `  - ${p.field} ${p.message}`)
            .join('\n')}`,
        );
      }
      ctx.logger.info('The values that span two fields agree.');
    },
  });
  return withTitles(action, inputs, {});
}
