import { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';
import { HumanDuration } from '@backstage/types';

export interface Config {
  /** Settings of the mlops plugins. */
  mlops?: {
    /**
     * How the bootstrap actions reach AWS. Credentials always come from the
     * `aws` section (`aws.mainAccount`, `aws.accounts`) read by
     * `@backstage/integration-aws-node`.
     */
    aws?: {
      /**
       * Endpoint URL used for every AWS service client instead of the AWS
       * endpoints, for emulators such as moto (for example `http://127.0.0.1:5000`).
       * Leave unset for real AWS.
       * @visibility backend
       */
      endpoint?: string;
      /**
       * Address S3 buckets by path instead of by virtual host. Emulators
       * usually need this; defaults to true when `endpoint` is set.
       * @visibility backend
       */
      forcePathStyle?: boolean;
    };

    /**
     * What the platform sets once for `mlops:github-oidc:ensure`, which
     * creates each repository's GitHub Actions roles. Checked when the action
     * runs, before any AWS call; every policy named here must exist in the
     * target account (checked before anything is created).
     */
    github?: {
      /**
       * `create` (default): Backstage creates the account's GitHub Actions OIDC
       * provider (token.actions.githubusercontent.com, or its enterprise
       * issuer: `enterpriseSlug`) when it is missing, and
       * adds the sts.amazonaws.com audience when it lacks it. `existing`: the
       * platform made the provider; the action only reads it and refuses to
       * run when it is missing.
       * @visibility backend
       */
      oidcProvider?: 'create' | 'existing';
      /**
       * Permissions boundary of every CI role: a customer-managed policy name
       * (resolved in the target account) or a policy ARN. Required unless
       * `allowMissingPermissionsBoundary` is true.
       * @visibility backend
       */
      permissionsBoundary?: string;
      /**
       * Create the roles without a permissions boundary when none is named.
       * Default false: the action refuses to run without one.
       * @visibility backend
       */
      allowMissingPermissionsBoundary?: boolean;
      /**
       * Policies (names or ARNs, at least one) attached to each environment's
       * Terraform role: what the generated Terraform may create. Required.
       * @visibility backend
       */
      terraformRolePolicies?: string[];
      /**
       * Read-only policies (names or ARNs) attached to the plan role that pull
       * requests use. Default: the AWS-managed ReadOnlyAccess of the partition.
       * @visibility backend
       */
      planRolePolicies?: string[];
      /**
       * The slug of the GitHub enterprise (as in
       * https://github.com/enterprises/<slug>), set only when the enterprise
       * has turned on its unique OIDC issuer URL: its github.com workflows'
       * tokens then come from token.actions.githubusercontent.com/<slug>, and
       * the OIDC provider and the CI roles' trust must name that issuer.
       * Applies to github.com repositories only (GHE.com and GitHub Enterprise
       * Server have issuers of their own). A value that is not a slug stops
       * the backend at start-up, naming this key.
       * @visibility backend
       */
      enterpriseSlug?: string;
    };

    /**
     * The catalog module `catalogModuleMlopsClusters`: kubernetes-cluster
     * Resources from each service's Terraform state (`mlops/tfstate`), on its
     * schedule and, between runs, for an environment the mlops plugin finds
     * deployed and not answering yet (events topic
     * `mlops.cluster-discovery.requested`).
     */
    clusterDiscovery?: {
      /** Set to false to register no entity provider and answer no request. Default true. */
      enabled?: boolean;
      /** When to read the states. Default: every 5 minutes, 3 minute timeout. */
      schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
    };

    /** The scheduled prober of model endpoints. */
    prober?: {
      /** Set to false to stop scheduled probing (routes still probe stale endpoints on demand). Default true. */
      enabled?: boolean;
      /**
       * Time between probe cycles, as '60s', 'PT1M' or { minutes: 1 }. At least 1 s. Default 60 s.
       */
      interval?: string | HumanDuration;
      /** Time allowed for one endpoint's probe, at most the interval. Default 5 s. */
      timeout?: string | HumanDuration;
      /** Endpoints probed at the same time. Default 20. */
      concurrency?: number;
      /** Random delay before each cycle, so backends do not probe in lockstep. Default 5 s (a tenth of the interval when shorter); at most a tenth of the interval, or start-up fails. */
      jitter?: string | HumanDuration;
      /** Longest wait between probes of an endpoint that keeps failing (the wait doubles per failure). An endpoint that has never been up is not held: it is probed every interval. Default 10 min. */
      maxBackoff?: string | HumanDuration;
      /** How long model metadata read from a healthy endpoint is reused before it is read again. Default 10 min. */
      metadataRefresh?: string | HumanDuration;
      /** The entity health route probes endpoints whose last result is older than this, unless they are backing off after failures. Default twice the interval. */
      staleAfter?: string | HumanDuration;
    };
    /** Probe history. */
    history?: {
      /** How long probe results are kept (at least 1 h). Default 7 days. */
      retention?: string | HumanDuration;
      /** How long the 24-hour uptime and p50/p95 latency shown for each endpoint are reused before they are recomputed from history (the latest result is always current). Default 5 minutes; 0 recomputes them after every probe cycle. */
      summaryRefresh?: string | HumanDuration;
    };
    /** The SSRF guard every probe and predict request goes through. */
    outbound?: {
      /**
       * Host names or patterns endpoints may use, such as 'models.example.com'
       * or '*.svc.cluster.local' (no scheme, port or path). Empty allows any
       * host; the address checks apply either way.
       * @visibility backend
       */
      allowedHosts?: string[];
      /**
       * Allow loopback, link-local and private addresses (needed for local
       * demos and in-cluster endpoints). Cloud metadata addresses stay refused.
       * Default false.
       * @visibility backend
       */
      allowPrivateNetworks?: boolean;
      /** Largest probe response body read, in bytes. Default 1 MiB. */
      maxResponseBytes?: number;
    };
    /** The predict proxy. */
    predict?: {
      /** Time allowed for the model to answer. Default 30 s. */
      timeout?: string | HumanDuration;
      /** Largest predict request body accepted (`{ environment, body }` as sent), in bytes (413 above). Default 1 MiB. */
      maxRequestBytes?: number;
      /** Largest model answer read, in bytes (502 above). Default 5 MiB. */
      maxResponseBytes?: number;
    };
    /** The fleet route. */
    fleet?: {
      /** How long a user's view of the catalog is reused by the fleet route before it is re-read (in the background for one more such period). Default 10 s; 0 disables. */
      cacheTtl?: string | HumanDuration;
    };
  };
}
