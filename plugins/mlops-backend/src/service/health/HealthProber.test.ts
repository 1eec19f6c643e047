import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DatabaseService } from '@backstage/backend-plugin-api';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  MLOPS_ANNOTATIONS,
  MLOPS_INFERENCE_URL_ENV_PREFIX,
} from '@eks-mlops/backstage-plugin-mlops-common';
import {
  MOTO_ACCOUNT_ID,
  MotoServer,
  startMotoServer,
} from '@internal/moto-server';
import { motoConfig } from '../../__testUtils__/actionHarness';
import {
  createBucket,
  motoEcrClient,
  motoS3Client,
  pushImage,
} from '../../__testUtils__/deployRecordsMoto';
import { eventsWithDiscoverySubscriber } from '../../__testUtils__/clusterDiscovery';
import { AwsClientFactory } from '../../aws/AwsClientFactory';
import {
  FixtureServer,
  sendJson,
  startFixture,
  v2Handler,
} from '../__testUtils__/httpFixtures';
import { mlServiceEntity } from '../__testUtils__/entities';
import { until } from '../__testUtils__/until';
import { MlServiceCatalog } from '../catalog/MlServiceCatalog';
import { createOutboundClient } from '../outbound';
import { DatabaseHealthStore } from '../store';
import { FailureBackoff } from './FailureBackoff';
import { DeployRecordChecker } from './DeployRecordChecker';
import { ClusterDiscoveryRequests } from './ClusterDiscoveryRequests';
import {
  HealthProber,
  HealthProberOptions,
  probeTargetsOf,
} from './HealthProber';

jest.setTimeout(60_000);

const databases = TestDatabases.create({
  ids: ['SQLITE_3'],
  disableDocker: true,
});

const entity = (name: string, url: string) => mlServiceEntity(name, url);

/** A V2 server that answers after `delayMs` and counts requests in flight. */
async function countingServer(delayMs: number) {
  const inner = v2Handler({ modelName: 'm' });
  const stats = { inFlight: 0, maxInFlight: 0 };
  const server = await startFixture((req, res, body) => {
    stats.inFlight += 1;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    setTimeout(() => {
      stats.inFlight -= 1;
      inner(req, res, body);
    }, delayMs);
  });
  return { server, stats };
}

/** A V2 server that answers healthy while `answers.up`, else 503 to all. */
async function switchingServer(up: boolean) {
  const healthy = v2Handler({ modelName: 'm' });
  const answers = { up, calls: 0 };
  const server = await startFixture((req, res, body) => {
    answers.calls += 1;
    if (answers.up) healthy(req, res, body);
    else sendJson(res, 503, {});
  });
  return { server, answers };
}

async function createProber(
  entities: Entity[],
  overrides: Partial<HealthProberOptions> = {},
) {
  const knex = await databases.init('SQLITE_3');
  const database: DatabaseService = { getClient: async () => knex };
  const store = await DatabaseHealthStore.create({ database });
  const prober = new HealthProber({
    catalog: new MlServiceCatalog(
      catalogServiceMock({ entities }),
      mockServices.logger.mock(),
    ),
    auth: mockServices.auth(),
    store,
    client: createOutboundClient({
      allowPrivateNetworks: true,
      timeoutMs: 1000,
    }),
    logger: mockServices.logger.mock(),
    backoff: new FailureBackoff(60_000, 600_000),
    concurrency: 4,
    jitterMs: 0,
    metadataRefreshMs: 600_000,
    ...overrides,
  });
  return { prober, store };
}

describe('HealthProber', () => {
  const servers: FixtureServer[] = [];
  afterAll(async () => {
    await Promise.all(servers.map(s => s.close()));
  });

  it('probes every endpoint with at most `concurrency` endpoints at a time and stores the results', async () => {
    const { server, stats } = await countingServer(50);
    servers.push(server);
    const entities = Array.from({ length: 12 }, (_, i) =>
      entity(`svc-${i}`, server.url),
    );
    const { prober, store } = await createProber(entities, { concurrency: 3 });

    const report = await prober.runCycle();

    expect(report).toMatchObject({
      services: 12,
      endpoints: 12,
      probed: 12,
      down: 0,
    });
    // Each V2 probe makes four calls at once: 3 endpoints → at most 12 calls.
    expect(stats.maxInFlight).toBeLessThanOrEqual(12);
    expect(stats.maxInFlight).toBeGreaterThan(4);
    // 12 endpoints, 3 at a time, 50 ms each: at least four rounds.
    expect(report.durationMs).toBeGreaterThanOrEqual(4 * 50);
    const latest = await store.latest();
    expect(latest).toHaveLength(12);
    expect(latest.every(l => l.health.state === 'healthy')).toBe(true);
  });

  it('stores results in batches while probing, the last ones in a small batch', async () => {
    const { server } = await countingServer(5);
    servers.push(server);
    const entities = Array.from({ length: 250 }, (_, i) =>
      entity(`svc-${i}`, server.url),
    );
    const { prober, store } = await createProber(entities, {
      concurrency: 25,
    });
    const batchSizes: number[] = [];
    const recordMany = store.recordMany.bind(store);
    jest.spyOn(store, 'recordMany').mockImplementation(records => {
      batchSizes.push(records.length);
      return recordMany(records);
    });

    const report = await prober.runCycle();

    expect(report.probed).toBe(250);
    expect(batchSizes.reduce((a, b) => a + b, 0)).toBe(250);
    // 200 at a time while probes start; once the last has started, small
    // batches, so little is left to write after the last probe ends.
    expect(batchSizes[0]).toBe(200);
    expect(batchSizes[batchSizes.length - 1]).toBeLessThanOrEqual(10);
    expect(await store.latest()).toHaveLength(250);
  });

  it('backs off a failing endpoint and probes it again once it is due', async () => {
    const { server: failing, answers } = await switchingServer(true);
    servers.push(failing);
    const { prober, store } = await createProber(
      [entity('flaky', failing.url)],
      { backoff: new FailureBackoff(1000, 60_000) },
    );

    expect(await prober.runCycle()).toMatchObject({ probed: 1, down: 0 });
    answers.up = false;
    await prober.runCycle(); // failure 1: due again after one interval
    await new Promise(r => setTimeout(r, 1000));
    const second = await prober.runCycle(); // failure 2: waits two intervals
    expect(second).toMatchObject({ probed: 1, down: 1, backingOff: 0 });
    await new Promise(r => setTimeout(r, 1000));
    const third = await prober.runCycle();
    expect(third).toMatchObject({ probed: 0, backingOff: 1 });
    const callsWhileBackingOff = answers.calls;
    await new Promise(r => setTimeout(r, 1100));
    const fourth = await prober.runCycle();
    expect(fourth).toMatchObject({ probed: 1, backingOff: 0 });
    expect(answers.calls).toBeGreaterThan(callsWhileBackingOff);
    // The back-off is kept in the store, where every instance reads it.
    const [latest] = await store.latest(['component:default/flaky']);
    expect(latest).toMatchObject({ failures: 3, hasBeenUp: true });
  });

  it('probes an endpoint that has never been up at every cycle, so its first deploy shows at once', async () => {
    const { server: notYet, answers } = await switchingServer(false);
    servers.push(notYet);
    const { prober, store } = await createProber(
      [entity('new-prod', notYet.url)],
      { backoff: new FailureBackoff(60_000, 600_000) },
    );

    for (let cycle = 0; cycle < 3; cycle++) {
      expect(await prober.runCycle()).toMatchObject({
        probed: 1,
        down: 1,
        backingOff: 0,
      });
    }
    const [waiting] = await store.latest(['component:default/new-prod']);
    expect(waiting).toMatchObject({ failures: 3, hasBeenUp: false });

    answers.up = true; // deployed
    expect(await prober.runCycle()).toMatchObject({ probed: 1, down: 0 });
    const [live] = await store.latest(['component:default/new-prod']);
    expect(live).toMatchObject({
      failures: 0,
      hasBeenUp: true,
      health: { state: 'healthy' },
    });
  });

  it('waits a random part of the jitter before a cycle', async () => {
    const { server } = await countingServer(0);
    servers.push(server);
    const { prober } = await createProber([entity('one', server.url)], {
      jitterMs: 400,
      random: () => 0.75,
    });
    const started = Date.now();
    await prober.runCycle();
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('joins a probe already running instead of calling the endpoint twice', async () => {
    const { server } = await countingServer(100);
    servers.push(server);
    const entities = [entity('once', server.url)];
    const { prober, store } = await createProber(entities);
    const service = (
      await new MlServiceCatalog(
        catalogServiceMock({ entities }),
        mockServices.logger.mock(),
      ).list(await mockServices.auth().getOwnServiceCredentials())
    )[0];
    const before = server.received.length;
    const targets = probeTargetsOf([service], []);
    const [a, b] = await Promise.all([
      prober.probeNow(targets),
      prober.probeNow(targets),
    ]);
    expect(a[0]).toBe(b[0]);
    // One V2 probe: live, ready, model ready, metadata.
    expect(server.received.length - before).toBe(4);
    const histories = await store.histories(
      'component:default/once',
      ['default'],
      new Date(Date.now() - 60_000),
    );
    const history = histories.get('default')!;
    expect(history.reduce((n, p) => n + p.samples, 0)).toBe(1);
  });

  it('starts with the endpoints a cycle cut short did not reach', async () => {
    const inner = v2Handler({ modelName: 'm' });
    const readyFrom: string[] = [];
    let stopAfter = 0;
    let controller = new AbortController();
    const server = await startFixture((req, res, body) => {
      const match = /^\/(svc-\d)(\/.*)$/.exec(req.url ?? '');
      if (match?.[2] === '/v2/health/ready') {
        readyFrom.push(match[1]);
        if (readyFrom.length === stopAfter) controller.abort();
      }
      req.url = match?.[2] ?? req.url;
      inner(req, res, body);
    });
    servers.push(server);
    const entities = Array.from({ length: 6 }, (_, i) =>
      entity(`svc-${i}`, `${server.url}/svc-${i}`),
    );
    const { prober } = await createProber(entities, { concurrency: 1 });

    stopAfter = 2;
    await prober.runCycle(controller.signal);
    expect(readyFrom).toEqual(['svc-0', 'svc-1']);

    controller = new AbortController();
    stopAfter = 4;
    await prober.runCycle(controller.signal);
    expect(readyFrom.slice(2)).toEqual(['svc-2', 'svc-3']);

    await prober.runCycle();
    // Never probed first, then the stalest.
    expect(readyFrom.slice(4)).toEqual([
      'svc-4',
      'svc-5',
      'svc-0',
      'svc-1',
      'svc-2',
      'svc-3',
    ]);
  });

  it('reads model metadata once and reuses it while the endpoint stays healthy', async () => {
    const { server } = await countingServer(0);
    servers.push(server);
    const { prober, store } = await createProber([entity('meta', server.url)]);
    const metadataCalls = () =>
      server.received.filter(r => r.path === '/v2/models/m').length;
    await prober.runCycle();
    await prober.runCycle();
    expect(metadataCalls()).toBe(1);
    const [latest] = await store.latest(['component:default/meta']);
    expect(latest.health.model?.inputs?.[0].shape).toEqual([-1, 4]);
  });
  it('stops mid-cycle for shutdown: stores nothing more and refreshes no snapshot', async () => {
    const { server, stats } = await countingServer(300);
    servers.push(server);
    const entities = Array.from({ length: 6 }, (_, i) =>
      entity(`stop-${i}`, server.url),
    );
    const client = createOutboundClient({
      allowPrivateNetworks: true,
      timeoutMs: 2000,
    });
    const onResultsStored = jest.fn(async () => {});
    const { prober, store } = await createProber(entities, {
      client,
      concurrency: 2,
      onResultsStored,
    });
    const recordMany = jest.spyOn(store, 'recordMany');

    const cycle = prober.runCycle();
    // Two endpoints in flight, four calls each.
    await until(() => stats.inFlight === 8, 'eight calls are in flight');
    prober.stop();
    await client.close();
    const report = await cycle;

    expect(report.probed).toBe(0);
    expect(recordMany).not.toHaveBeenCalled();
    expect(onResultsStored).not.toHaveBeenCalled();
    expect(await store.latest()).toEqual([]);
    // No further endpoint was called once the prober stopped.
    expect(server.received).toHaveLength(8);

    // A page view after shutdown began probes and stores nothing either.
    const services = await new MlServiceCatalog(
      catalogServiceMock({ entities }),
      mockServices.logger.mock(),
    ).list(await mockServices.auth().getOwnServiceCredentials());
    expect(await prober.probeNow(probeTargetsOf(services, []))).toEqual([]);
    expect(server.received).toHaveLength(8);
    expect(recordMany).not.toHaveBeenCalled();
  });

  it('cuts the jitter short on stop and starts no cycle after it', async () => {
    const { server } = await countingServer(0);
    servers.push(server);
    const { prober, store } = await createProber([entity('idle', server.url)], {
      jitterMs: 10_000,
      random: () => 0.9,
    });
    const started = Date.now();
    const cycle = prober.runCycle();
    prober.stop();
    expect((await cycle).probed).toBe(0);
    expect(Date.now() - started).toBeLessThan(1000);
    expect((await prober.runCycle()).probed).toBe(0);
    expect(server.received).toHaveLength(0);
    expect(await store.latest()).toEqual([]);
  });

  it("discards a read's result that arrives after stop", async () => {
    const { server, stats } = await countingServer(200);
    servers.push(server);
    const entities = [entity('late', server.url)];
    const { prober, store } = await createProber(entities);
    const services = await new MlServiceCatalog(
      catalogServiceMock({ entities }),
      mockServices.logger.mock(),
    ).list(await mockServices.auth().getOwnServiceCredentials());

    const read = prober.probeNow(probeTargetsOf(services, []));
    await until(() => stats.inFlight === 4, 'four calls are in flight');
    prober.stop();
    expect(await read).toEqual([]);
    expect(await store.latest()).toEqual([]);
  });
});

describe('HealthProber and the environments not deployed yet', () => {
  const BUCKET = 'churn-tfstate-123456789012';
  let moto: MotoServer;
  let s3: S3Client;
  const servers: FixtureServer[] = [];

  beforeAll(async () => {
    moto = await startMotoServer();
    s3 = motoS3Client(moto);
    await createBucket(s3, BUCKET);
  });
  afterAll(async () => {
    await Promise.all(servers.map(s => s.close()));
    await moto?.stop();
  });

  const putState = (key: string) =>
    s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: '{}' }));

  /** A service from the template: dev and prod, prod primary, states under `<name>/<env>/`. */
  const templateService = (name: string, devUrl: string, prodUrl: string) =>
    mlServiceEntity(name, prodUrl, {
      annotations: {
        [`${MLOPS_INFERENCE_URL_ENV_PREFIX}dev`]: devUrl,
        [MLOPS_ANNOTATIONS.inferenceEnvironment]: 'prod',
        [MLOPS_ANNOTATIONS.tfstate]: `s3://${BUCKET}/${name}`,
        [MLOPS_ANNOTATIONS.awsRegion]: 'eu-west-1',
        [MLOPS_ANNOTATIONS.awsAccountId]: MOTO_ACCOUNT_ID,
      },
    });

  async function proberOf(
    entities: Entity[],
    overrides: Partial<HealthProberOptions> = {},
  ) {
    return createProber(entities, {
      deployChecker: new DeployRecordChecker({
        awsClientFactory: AwsClientFactory.fromConfig(
          motoConfig(moto.endpoint),
        ),
        logger: mockServices.logger.mock(),
        timeoutMs: 5000,
      }),
      ...overrides,
    });
  }

  /** The requests the prober publishes for the cluster discovery, as the catalog module receives them. */
  async function discoveryRequests() {
    const { events, received } = await eventsWithDiscoverySubscriber();
    const requests = new ClusterDiscoveryRequests({
      events,
      logger: mockServices.logger.mock(),
      intervalMs: 0,
    });
    return { requests, received: () => received.map(e => e.eventPayload) };
  }

  const stateOf = async (
    store: DatabaseHealthStore,
    name: string,
    environment: string,
  ) =>
    (await store.latest([`component:default/${name}`])).find(
      r => r.health.environment === environment,
    )!.health;

  it('shows prod not deployed yet while only dev has a Terraform state, and down once its deploy has run', async () => {
    const dev = await switchingServer(true);
    const prod = await switchingServer(false);
    servers.push(dev.server, prod.server);
    await putState('churn/dev/terraform.tfstate');
    const { prober, store } = await proberOf([
      templateService('churn', dev.server.url, prod.server.url),
    ]);

    expect(await prober.runCycle()).toMatchObject({ probed: 2, down: 0 });
    expect(await stateOf(store, 'churn', 'dev')).toMatchObject({
      state: 'healthy',
    });
    const waiting = await stateOf(store, 'churn', 'prod');
    expect(waiting).toMatchObject({
      state: 'unknown',
      errorClass: 'not-deployed',
      httpStatus: 503,
    });
    expect(waiting.errorMessage).toContain(
      `prod has no Terraform state at s3://${BUCKET}/churn/prod/terraform.tfstate`,
    );

    // The deploy ran (Terraform wrote prod's state) and the model fails.
    await putState('churn/prod/terraform.tfstate');
    expect(await prober.runCycle()).toMatchObject({ probed: 2, down: 1 });
    expect(await stateOf(store, 'churn', 'prod')).toMatchObject({
      state: 'down',
    });
  });

  it('shows every environment of a new service not deployed yet until its first deploy writes a state', async () => {
    const dev = await switchingServer(false);
    const prod = await switchingServer(false);
    servers.push(dev.server, prod.server);
    const { prober, store } = await proberOf([
      templateService('forecast', dev.server.url, prod.server.url),
    ]);

    expect(await prober.runCycle()).toMatchObject({ probed: 2, down: 0 });
    for (const environment of ['dev', 'prod']) {
      const waiting = await stateOf(store, 'forecast', environment);
      expect(waiting).toMatchObject({
        state: 'unknown',
        errorClass: 'not-deployed',
      });
      expect(waiting.errorMessage).toContain(
        `${environment} has no Terraform state at s3://${BUCKET}/forecast/${environment}/terraform.tfstate, nor has any other environment been deployed`,
      );
    }

    // dev's first deploy applied Terraform and the model answers.
    await putState('forecast/dev/terraform.tfstate');
    dev.answers.up = true;
    await prober.runCycle();
    expect(await stateOf(store, 'forecast', 'dev')).toMatchObject({
      state: 'healthy',
    });
    expect((await stateOf(store, 'forecast', 'prod')).errorMessage).toContain(
      'prod has no Terraform state at ' +
        `s3://${BUCKET}/forecast/prod/terraform.tfstate while dev has its`,
    );
  });

  it("goes by the image tags of the service's ECR repository first: not deployed until the rollout tagged one", async () => {
    const dev = await switchingServer(false);
    const prod = await switchingServer(false);
    servers.push(dev.server, prod.server);
    const ecr = motoEcrClient(moto);
    await pushImage(ecr, 'scoring', 'a', ['3f2a9c1']);
    // dev's apply has started: its state exists, its rollout has not run.
    await putState('scoring/dev/terraform.tfstate');
    const scoring = templateService('scoring', dev.server.url, prod.server.url);
    scoring.metadata.annotations![
      MLOPS_ANNOTATIONS.ecrRepository
    ] = `${MOTO_ACCOUNT_ID}.dkr.ecr.eu-west-1.amazonaws.com/scoring`;
    const { prober, store } = await proberOf([scoring]);

    expect(await prober.runCycle()).toMatchObject({ probed: 2, down: 0 });
    expect((await stateOf(store, 'scoring', 'dev')).errorMessage).toContain(
      'not deployed yet: no image in ECR repository scoring is tagged dev-run-*, nor has any other environment been deployed',
    );

    // The deploy tagged the image it rolls out; the model fails to start.
    await pushImage(ecr, 'scoring', 'a', ['dev-run-4711-1']);
    expect(await prober.runCycle()).toMatchObject({ probed: 2, down: 1 });
    expect(await stateOf(store, 'scoring', 'dev')).toMatchObject({
      state: 'down',
    });
    expect((await stateOf(store, 'scoring', 'prod')).errorMessage).toContain(
      'no image in ECR repository scoring is tagged prod-run-* while dev has its',
    );
  });

  it('asks the cluster discovery for the state of an environment whose rollout tagged an image and that has not answered yet', async () => {
    const dev = await switchingServer(false);
    const prod = await switchingServer(false);
    servers.push(dev.server, prod.server);
    const ecr = motoEcrClient(moto);
    const forecast = templateService('demand', dev.server.url, prod.server.url);
    forecast.metadata.annotations![
      MLOPS_ANNOTATIONS.ecrRepository
    ] = `${MOTO_ACCOUNT_ID}.dkr.ecr.eu-west-1.amazonaws.com/demand`;
    await pushImage(ecr, 'demand', 'a', ['5d1c0e2']);
    const { requests, received } = await discoveryRequests();
    const { prober } = await proberOf([forecast], {
      clusterDiscovery: requests,
    });

    await prober.runCycle();
    expect(received()).toEqual([]);

    // dev's rollout tagged its image; the pods are not ready yet.
    await pushImage(ecr, 'demand', 'a', ['dev-run-12-1']);
    await prober.runCycle();
    const devRequest = {
      entityRef: 'component:default/demand',
      environment: 'dev',
    };
    expect(received()).toEqual([devRequest]);
    await prober.runCycle();
    expect(received()).toEqual([devRequest, devRequest]);

    // Once dev has answered, its failures are its own: no more requests.
    dev.answers.up = true;
    await prober.runCycle();
    dev.answers.up = false;
    await prober.runCycle();
    expect(received()).toHaveLength(2);
  });

  it('judges no endpoint of a service that does not say which environment its primary endpoint is', async () => {
    const prod = await switchingServer(false);
    servers.push(prod.server);
    const legacy = templateService('legacy', prod.server.url, prod.server.url);
    delete legacy.metadata.annotations![MLOPS_ANNOTATIONS.inferenceEnvironment];
    const { prober, store } = await proberOf([legacy]);

    expect(await prober.runCycle()).toMatchObject({ down: 2 });
    expect(await stateOf(store, 'legacy', 'dev')).toMatchObject({
      state: 'down',
    });
  });

  it('keeps an endpoint that has been up down, whatever its state', async () => {
    const dev = await switchingServer(true);
    const prod = await switchingServer(true);
    servers.push(dev.server, prod.server);
    await putState('fraud/dev/terraform.tfstate');
    const { prober, store } = await proberOf([
      templateService('fraud', dev.server.url, prod.server.url),
    ]);

    await prober.runCycle();
    prod.answers.up = false;
    expect(await prober.runCycle()).toMatchObject({ probed: 2, down: 1 });
    expect(await stateOf(store, 'fraud', 'prod')).toMatchObject({
      state: 'down',
    });
  });
});
