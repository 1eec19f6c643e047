import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import {
  ActionContext,
  createTemplateAction,
} from '@backstage/plugin-scaffolder-node';
import {
  environmentHosts,
  ServiceValueProblem,
  serviceValueProblems,
} from '@eks-mlops/backstage-plugin-mlops-common';
import {
  certificateUseProblems,
  describeCertificate,
  expiryWarning,
} from '../aws/acmCertificate';
import { AwsClientFactory } from '../aws/AwsClientFactory';
import { inspectOrExplain } from './ensureSteps';
import { FieldSpec, FieldValues, withTitles, zodFields } from './fields';
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
    description:
      "Certificate for HTTPS; empty for none. It must be issued in ACM and cover every environment's host.",
    type: optionalText,
  },
  inboundCidrs: {
    title: 'Allowed source ranges',
    description:
      'The IPv4 ranges (CIDR) a public endpoint admits; empty for any address.',
    type: z => z.array(z.string()).optional(),
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
  deployRunsOn: {
    title: 'Deploy runner label',
    description:
      'The runner label of the deploy jobs; with inboundCidrs, a runner inside those ranges.',
    type: optionalText,
  },
} satisfies Record<string, FieldSpec>;

type ValidateInput = FieldValues<typeof inputs>;

/**
 * What ACM says against serving `certificateArn` to every environment's host
 * (none without a certificate, or when the ARN itself is already refused);
 * it logs a warning for a certificate that expires within 30 days.
 * A dry run that cannot read ACM (no credentials or permission) logs why and
 * finds nothing; a run that cannot read it fails, unless the values have
 * problems already: those are reported, and the check waits for the next run.
 */
async function acmProblems(
  ctx: ActionContext<ValidateInput, {}, 'v2'>,
  clientFactory: AwsClientFactory,
  valueProblems: ServiceValueProblem[],
): Promise<ServiceValueProblem[]> {
  const { certificateArn, awsAccountId } = ctx.input;
  if (
    !certificateArn ||
    valueProblems.some(p => p.field === 'certificateArn')
  ) {
    return [];
  }
  const region = ctx.input.awsRegion || certificateArn.split(':')[3];
  const check = async () => {
    const { acm, resolveAccountId } = await clientFactory.create({
      region,
      accountId: awsAccountId,
    });
    // Credentials of another account would find no certificate under the ARN.
    await resolveAccountId();
    const certificate = await describeCertificate(acm, certificateArn);
    const expiry = certificate && expiryWarning(certificate);
    if (expiry) ctx.logger.warn(expiry);
    return certificateUseProblems(
      certificate,
      { accountId: awsAccountId, region },
      environmentHosts(ctx.input),
    );
  };
  try {
    if (!ctx.isDryRun) return await check();
    const outcome = await inspectOrExplain(check);
    if ('result' in outcome) return outcome.result;
    ctx.logger.info(
      `[dry run] certificateArn not checked in ACM: ${outcome.unknown.join(
        '; ',
      )}`,
    );
    return [];
  } catch (error) {
    if (valueProblems.length === 0) throw error;
    ctx.logger.warn(
      `certificateArn not checked in ACM: ${(error as Error).message}`,
    );
    return [];
  }
}

/** A warning for an internet-facing endpoint without a certificate, which the template allows. */
function plainHttpWarning(
  input: Pick<
    ValidateInput,
    'endpointVisibility' | 'certificateArn' | 'inboundCidrs'
  >,
): string | undefined {
  if (input.endpointVisibility !== 'public' || input.certificateArn) {
    return undefined;
  }
  const callers = input.inboundCidrs?.length
    ? `anyone in ${input.inboundCidrs.join(', ')}`
    : 'anyone on the internet';
  return (
    `endpointVisibility is public and certificateArn is empty: the model will answer ${callers} over plain HTTP, ` +
    'so inference requests and answers travel unencrypted. Set certificateArn (an ACM certificate covering host) to serve HTTPS, ' +
    'or choose internal.'
  );
}

/**
 * A reminder for source ranges with a host: Backstage calls the host, and no
 * step can see Backstage's outbound addresses to check them against the ranges.
 */
function backstageOutsideRangesWarning(
  input: Pick<ValidateInput, 'inboundCidrs' | 'host'>,
): string | undefined {
  if (!input.inboundCidrs?.length || !input.host) return undefined;
  return (
    `inboundCidrs admits only ${input.inboundCidrs.join(
      ', ',
    )}, and Backstage's health probes and predict calls go to ${input.host}: ` +
    "Backstage's outbound addresses must be inside those ranges too, or the service's page reads its endpoints as down."
  );
}

/**
 * Creates the `mlops:ml-service:validate` action: the ml-service template's
 * first step. It checks the rules that span two of the template's fields
 * (maximum at least minimum, limit at least request, a host with a public
 * certificate, each environment's host a DNS name, the certificate in the
 * service's account and region, existing roles in its account, source ranges
 * only for a public endpoint and with a deploy runner inside them) and, with
 * `acm:DescribeCertificate`, that the certificate is issued and covers every
 * environment's host (and warns when it expires within 30 days: ACM never
 * renews an imported one, and one it issued should have renewed by then;
 * when a public endpoint has no certificate, so would serve plain HTTP; and
 * when source ranges and a host are given, since Backstage calls that host).
 * The scaffolder's form and REST API check neither, so a task with such
 * values fails before any step creates something. It writes
 * nothing; a dry run checks the same (ACM too, when it can read it).
 *
 * @public
 */
export function createMlServiceValidateAction(options: { config: Config }) {
  return mlServiceValidateAction(AwsClientFactory.fromConfig(options.config));
}

/** The `mlops:ml-service:validate` action using the given (possibly shared) AWS client factory. */
export function mlServiceValidateAction(clientFactory: AwsClientFactory) {
  const action = createTemplateAction({
    id: 'mlops:ml-service:validate',
    description:
      "Checks the ml-service template's values that span two fields (sizes, resources, each environment's host, " +
      "the certificate's account and region, existing roles' account, source ranges) and, in ACM, that the certificate is issued and covers " +
      "every environment's host, before anything is created; fails naming each field and its fix.",
    examples,
    supportsDryRun: true,
    schema: { input: zodFields(inputs), output: zodFields({}) },
    async handler(ctx) {
      const valueProblems = serviceValueProblems(ctx.input);
      const problems = [
        ...valueProblems,
        ...(await acmProblems(ctx, clientFactory, valueProblems)),
      ];
      if (problems.length > 0) {
        throw new InputError(
          `Invalid values, nothing was created:\n${problems
            .map(p => `  - ${p.field} ${p.message}`)
            .join('\n')}`,
        );
      }
      for (const warning of [
        plainHttpWarning(ctx.input),
        backstageOutsideRangesWarning(ctx.input),
      ]) {
        if (warning) ctx.logger.warn(warning);
      }
      ctx.logger.info(
        ctx.input.certificateArn
          ? 'The values that span two fields agree, and the certificate serves every environment.'
          : 'The values that span two fields agree.',
      );
    },
  });
  return withTitles(action, inputs, {});
}
