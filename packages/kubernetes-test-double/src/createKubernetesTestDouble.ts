import { AddressInfo } from 'node:net';
import { createServer } from 'node:http';
import { handleRequest } from './http/handleRequest';
import { parseServiceProxyPath, proxyToService } from './http/serviceProxy';
import { parseManifests } from './manifests';
import { ObjectStore } from './objectStore';
import { simulateCluster } from './synthesis/simulateCluster';
import {
  DeploymentScenario,
  DEPLOYMENT_SCENARIOS,
  KubernetesObject,
  isDeploymentScenario,
} from './types';

/** Options of {@link createKubernetesTestDouble}. */
export interface KubernetesTestDoubleOptions {
  /**
   * The objects to serve: parsed objects, or a multi-document YAML string such as the output of
   * `kubectl kustomize <overlay>`.
   */
  manifests: string | readonly KubernetesObject[];
  /** The scenario per Deployment name; Deployments not named are `healthy`. */
  scenarios?: Record<string, DeploymentScenario>;
  /** Port to listen on; 0 (the default) picks a free one. */
  port?: number;
  /** Interface to listen on; defaults to 127.0.0.1. */
  host?: string;
  /**
   * The simulated cluster's "now", from which every timestamp is derived. Defaults to the moment
   * the test double was created, so answers do not change between requests.
   */
  clock?: () => Date;
  /**
   * Where the `services/<name>:<port>/proxy/...` subresource of a Service is
   * forwarded, by `<namespace>/<service>`: a local URL such as
   * `http://127.0.0.1:8080`. A Service not named here is forwarded to its
   * `kubernetes-test-double/proxy-target` annotation, if any.
   */
  serviceTargets?: Record<string, string>;
  /**
   * Services, as `<namespace>/<service>`, whose proxy subresource is refused
   * with 403 Forbidden, as an API server refuses a caller without RBAC for
   * `services/proxy` on them.
   */
  forbiddenServiceProxies?: readonly string[];
  /** Called after each answered request, for logging. */
  onRequest?: (request: RecordedRequest) => void;
}

/** One request the test double answered. */
export interface RecordedRequest {
  method: string;
  /** Path and query, as received. */
  url: string;
  status: number;
}

/** A running test double. */
export interface KubernetesTestDouble {
  /** Base URL of the simulated API server, `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** The requests answered so far (the last 1000), oldest first. */
  readonly requests: readonly RecordedRequest[];
  /**
   * Switches a Deployment to another scenario; the objects are simulated again under a new
   * resourceVersion. Throws if the manifests have no such Deployment.
   */
  setScenario(deploymentName: string, scenario: DeploymentScenario): void;
  /**
   * Adds objects as `kubectl apply` would (an object with the apiVersion, kind, namespace and name
   * of one already served replaces it) and service proxy targets; the cluster is simulated again
   * under a new resourceVersion.
   */
  apply(
    manifests: string | readonly KubernetesObject[],
    serviceTargets?: Record<string, string>,
  ): void;
  /** Stops listening and closes open connections. */
  stop(): Promise<void>;
}

const MAX_RECORDED_REQUESTS = 1000;
const FIRST_RESOURCE_VERSION = 1000;

/**
 * Starts an HTTP server that answers like the read-only part of a Kubernetes API server, serving the
 * objects of the given manifests plus what a cluster would add to them (ReplicaSets, Pods, statuses,
 * events, pod metrics), simulated per Deployment scenario. It is a labelled simulation for local
 * demos and tests: every answer carries an `X-Kubernetes-Test-Double: simulation` header.
 */
export async function createKubernetesTestDouble(
  options: KubernetesTestDoubleOptions,
): Promise<KubernetesTestDouble> {
  let manifests = parseManifests(options.manifests);
  const createdAt = new Date();
  const clock = options.clock ?? (() => createdAt);
  let scenarios = new Map<string, DeploymentScenario>();
  for (const [name, scenario] of Object.entries(options.scenarios ?? {})) {
    scenarios.set(name, checkScenario(scenario));
  }
  let simulations = 0;
  const simulate = (
    withScenarios: ReadonlyMap<string, DeploymentScenario>,
    generation: number,
  ) => {
    const resourceVersion = String(FIRST_RESOURCE_VERSION + generation);
    return new ObjectStore(
      simulateCluster({
        manifests,
        scenarios: withScenarios,
        now: clock(),
        resourceVersion,
      }),
      resourceVersion,
    );
  };
  let store = simulate(scenarios, simulations);

  const requests: RecordedRequest[] = [];
  const serviceTargets = { ...options.serviceTargets };
  const forbidden = new Set(options.forbiddenServiceProxies);
  const server = createServer(async (request, response) => {
    const url = request.url ?? '/';
    const proxyCall = parseServiceProxyPath(url);
    const recorded: RecordedRequest = {
      method: request.method ?? 'GET',
      url,
      status: proxyCall
        ? await proxyToService(
            store,
            proxyCall,
            { targets: serviceTargets, forbidden },
            request,
            response,
          )
        : handleRequest(store, request, response),
    };
    requests.push(recorded);
    if (requests.length > MAX_RECORDED_REQUESTS) {
      requests.shift();
    }
    options.onRequest?.(recorded);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;

  return {
    url: `http://${host}:${port}`,
    requests,
    setScenario(deploymentName, scenario) {
      const next = new Map(scenarios).set(
        deploymentName,
        checkScenario(scenario),
      );
      const nextStore = simulate(next, simulations + 1);
      simulations += 1;
      store = nextStore;
      scenarios = next;
    },
    apply(applied, targets = {}) {
      const added = parseManifests(applied);
      const next = [
        ...manifests.filter(
          object => !added.some(other => sameObject(object, other)),
        ),
        ...added,
      ];
      const previous = manifests;
      manifests = next;
      try {
        store = simulate(scenarios, simulations + 1);
      } catch (error) {
        manifests = previous;
        throw error;
      }
      simulations += 1;
      Object.assign(serviceTargets, targets);
    },
    stop() {
      return new Promise<void>((resolve, reject) => {
        server.close(error => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}

function sameObject(a: KubernetesObject, b: KubernetesObject): boolean {
  return (
    a.apiVersion === b.apiVersion &&
    a.kind === b.kind &&
    a.metadata.namespace === b.metadata.namespace &&
    a.metadata.name === b.metadata.name
  );
}

function checkScenario(scenario: string): DeploymentScenario {
  if (!isDeploymentScenario(scenario)) {
    throw new Error(
      `unknown scenario "${scenario}"; use one of ${DEPLOYMENT_SCENARIOS.join(
        ', ',
      )}`,
    );
  }
  return scenario;
}
