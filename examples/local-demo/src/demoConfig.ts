import fs from 'node:fs/promises';
import path from 'node:path';
import yaml from 'yaml';
import { DEMO_CLUSTER } from './kubernetesSimulation';
import { MOTO_ACCOUNT_ID, MOTO_CREDENTIALS } from './moto';
import { DEMO_STATE_DIR, REPO_ROOT } from './paths';

export const LOCAL_GIT_DIR = path.join(DEMO_STATE_DIR, 'git');
const USER_LOCAL_CONFIG = path.join(REPO_ROOT, 'app-config.local.yaml');

/**
 * The demo's `mlops.github`: the policies a platform creates once and names in
 * its config, here the example names `seedPlatformPolicies` creates in moto.
 */
export const DEMO_GITHUB_CONFIG = {
  oidcProvider: 'create',
  permissionsBoundary: 'ml-ci-boundary',
  terraformRolePolicies: ['ml-ci-terraform'],
};

/** What the user's own app-config.local.yaml configures, which the demo then leaves alone. */
export async function readUserLocalConfig(): Promise<{
  file?: string;
  configuresAws: boolean;
  configuresKubernetes: boolean;
}> {
  const text = await fs.readFile(USER_LOCAL_CONFIG, 'utf8').catch(() => '');
  if (!text) {
    return { configuresAws: false, configuresKubernetes: false };
  }
  const config = (yaml.parse(text) ?? {}) as Record<string, any>;
  return {
    file: USER_LOCAL_CONFIG,
    configuresAws: Boolean(config.aws || config.mlops?.aws),
    configuresKubernetes: Boolean(config.kubernetes?.clusterLocatorMethods),
  };
}

export interface DemoConfigOptions {
  file: string;
  demoCatalogFile: string;
  appUrl: string;
  backendUrl: string;
  banner: string;
  motoEndpoint?: string;
  kubernetesSimulationUrl?: string;
  /**
   * The local runner's clusters: the catalog file listing them (a file
   * location, re-read on request) and the static token the demo calls the
   * catalog with to ask for that.
   */
  localRunner?: { clustersFile: string; catalogToken: string };
}

/** The catalog locations of app-config.yaml: a later config file replaces the whole list. */
async function baseCatalogLocations(): Promise<unknown[]> {
  const text = await fs.readFile(
    path.join(REPO_ROOT, 'app-config.yaml'),
    'utf8',
  );
  return yaml.parse(text)?.catalog?.locations ?? [];
}

/**
 * Writes the config layer that points the example app at the local emulators and adds the demo
 * services' entities to the catalog.
 */
export async function writeDemoConfig(
  options: DemoConfigOptions,
): Promise<void> {
  const {
    appUrl,
    backendUrl,
    motoEndpoint,
    kubernetesSimulationUrl,
    localRunner,
  } = options;
  const config = {
    app: { baseUrl: appUrl },
    backend: {
      baseUrl: backendUrl,
      listen: { port: Number(new URL(backendUrl).port) },
      cors: { origin: appUrl },
      ...(localRunner && {
        auth: {
          externalAccess: [
            {
              type: 'static',
              options: {
                token: localRunner.catalogToken,
                subject: 'local-demo-runner',
              },
              accessRestrictions: [{ plugin: 'catalog' }],
            },
          ],
        },
      }),
    },
    catalog: {
      locations: [
        ...(await baseCatalogLocations()),
        { type: 'file', target: options.demoCatalogFile },
        ...(localRunner
          ? [
              {
                type: 'file',
                target: localRunner.clustersFile,
                rules: [{ allow: ['Resource'] }],
              },
            ]
          : []),
      ],
    },
    localDemo: {
      banner: options.banner,
      publish: { directory: LOCAL_GIT_DIR },
    },
    // GitHub's REST API for the locally published repositories (examples/backend's local-github plugin).
    integrations: {
      // The scaffolder's GitHub client insists on a token; the stand-in takes any.
      github: [
        {
          host: 'github.com',
          apiBaseUrl: `${backendUrl}/api/local-github`,
          token: 'any-token-the-stand-in-accepts',
        },
      ],
    },
    ...(motoEndpoint && {
      // An account entry with its own keys: without one, integration-aws-node asks the real STS
      // which account the main credentials belong to.
      aws: {
        mainAccount: MOTO_CREDENTIALS,
        accounts: [{ accountId: MOTO_ACCOUNT_ID, ...MOTO_CREDENTIALS }],
      },
      mlops: { aws: { endpoint: motoEndpoint }, github: DEMO_GITHUB_CONFIG },
    }),
    ...(kubernetesSimulationUrl && {
      kubernetes: {
        clusterLocatorMethods: [
          {
            type: 'config',
            clusters: [
              {
                name: DEMO_CLUSTER,
                url: kubernetesSimulationUrl,
                authProvider: 'serviceAccount',
                serviceAccountToken: 'any-token-the-simulation-accepts',
              },
            ],
          },
          // Clusters found in the services' Terraform state, as in app-config.yaml, and the
          // local runner's simulated clusters, which listen on plain HTTP on loopback.
          {
            type: 'catalog',
            ...(localRunner && { dangerouslyAllowClusterUrls: ['127.0.0.1'] }),
          },
        ],
      },
    }),
  };
  await fs.mkdir(path.dirname(options.file), { recursive: true });
  await fs.writeFile(
    options.file,
    `# Written by the local demo at start-up; do not edit.\n${yaml.stringify(
      config,
    )}`,
  );
}
