import {
  AddClientIDToOpenIDConnectProviderCommand,
  CreateOpenIDConnectProviderCommand,
  GetOpenIDConnectProviderCommand,
  IAMClient,
} from '@aws-sdk/client-iam';
import { NotFoundError } from '@backstage/errors';
import { isAwsError } from './awsErrors';
import { STS_AUDIENCE } from './ciRoleDocuments';
import { GITHUB_CI_CONFIG_KEY } from './githubCiConfig';
import { isNoSuchEntity } from './iamPolicies';
import { PlannedChange, toTagList } from './plannedChange';

export interface DesiredOidcProvider {
  arn: string;
  /** The GitHub instance's issuer, `githubOidcIssuer` of its host. */
  issuer: string;
  accountId: string;
  /** `existing`: the platform owns the provider; it is read, never changed. */
  mode: 'create' | 'existing';
  tags: Record<string, string>;
}

export interface OidcProviderState {
  exists: boolean;
  clientIds: string[];
}

/** One provider per account and issuer, so its ARN is known in advance: the issuer's path is part of it. */
export function oidcProviderArn(
  partition: string,
  accountId: string,
  issuer: string,
): string {
  return `arn:${partition}:iam::${accountId}:oidc-provider/${issuer}`;
}

/** Reads the provider; sends no mutating call. */
export async function inspectOidcProvider(
  iam: IAMClient,
  arn: string,
): Promise<OidcProviderState> {
  try {
    const provider = await iam.send(
      new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }),
    );
    return { exists: true, clientIds: provider.ClientIDList ?? [] };
  } catch (error) {
    if (isNoSuchEntity(error)) {
      return { exists: false, clientIds: [] };
    }
    throw error;
  }
}

function missingProviderError(desired: DesiredOidcProvider): NotFoundError {
  return new NotFoundError(
    `${GITHUB_CI_CONFIG_KEY}.oidcProvider is "existing", but AWS account ${desired.accountId} has no OIDC ` +
      `provider for ${desired.issuer}. Have the platform create it once (URL https://${desired.issuer}, ` +
      `audience ${STS_AUDIENCE}), or set ${GITHUB_CI_CONFIG_KEY}.oidcProvider to "create". Nothing was changed.`,
  );
}

function missingAudienceError(desired: DesiredOidcProvider): NotFoundError {
  return new NotFoundError(
    `The platform's OIDC provider ${desired.arn} does not accept the audience ${STS_AUDIENCE}, so no ` +
      `workflow could assume a role. Add it (aws iam add-client-id-to-open-id-connect-provider), or set ` +
      `${GITHUB_CI_CONFIG_KEY}.oidcProvider to "create" to let Backstage add it. Nothing was changed.`,
  );
}

async function createProvider(
  iam: IAMClient,
  desired: DesiredOidcProvider,
): Promise<void> {
  try {
    // No thumbprints: IAM checks the issuer's certificate against its library of trusted CAs, and
    // otherwise takes the thumbprint of the issuer's top intermediate CA itself.
    await iam.send(
      new CreateOpenIDConnectProviderCommand({
        Url: `https://${desired.issuer}`,
        ClientIDList: [STS_AUDIENCE],
        Tags: toTagList(desired.tags),
      }),
    );
  } catch (error) {
    if (
      !isAwsError(error, 'EntityAlreadyExistsException', 'EntityAlreadyExists')
    ) {
      throw error;
    }
  }
}

/**
 * The read-only decision for the account's GitHub OIDC provider. The
 * provider is shared by every repository, so only its audience is
 * converged, and only when Backstage may manage it.
 */
export function planOidcProvider(
  iam: IAMClient,
  state: OidcProviderState,
  desired: DesiredOidcProvider,
): PlannedChange[] {
  const name = `GitHub OIDC provider "${desired.issuer}"`;
  if (!state.exists) {
    if (desired.mode === 'existing') {
      throw missingProviderError(desired);
    }
    return [
      {
        kind: 'create',
        subject: `${name} (audience ${STS_AUDIENCE})`,
        apply: () => createProvider(iam, desired),
      },
    ];
  }
  if (state.clientIds.includes(STS_AUDIENCE)) {
    return [];
  }
  if (desired.mode === 'existing') {
    throw missingAudienceError(desired);
  }
  return [
    {
      kind: 'converge',
      subject: `audiences of ${name}`,
      from: state.clientIds.join(', ') || undefined,
      to: [...state.clientIds, STS_AUDIENCE].join(', '),
      apply: () =>
        iam
          .send(
            new AddClientIDToOpenIDConnectProviderCommand({
              OpenIDConnectProviderArn: desired.arn,
              ClientID: STS_AUDIENCE,
            }),
          )
          .then(() => undefined),
    },
  ];
}
