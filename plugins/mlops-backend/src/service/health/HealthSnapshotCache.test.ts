import { DatabaseService } from '@backstage/backend-plugin-api';
import { CacheManager } from '@backstage/backend-defaults/cache';
import { TestDatabases } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { DatabaseHealthStore } from '../store';
import { HealthSnapshotCache } from './HealthSnapshotCache';

const databases = TestDatabases.create({
  ids: ['SQLITE_3'],
  disableDocker: true,
});

const TTL_MS = 60_000;
const VERSION_KEY = 'health-snapshot-version';

async function setUp() {
  const knex = await databases.init('SQLITE_3');
  const database: DatabaseService = { getClient: async () => knex };
  const store = await DatabaseHealthStore.create({ database });
  await store.record('component:default/iris', {
    environment: 'prod',
    url: 'http://iris.example.com',
    state: 'healthy',
    latencyMs: 12,
    checkedAt: new Date().toISOString(),
  });
  // The memory store serializes values as every Backstage cache store does.
  const cache = CacheManager.fromConfig(new ConfigReader({})).forPlugin(
    'mlops',
  );
  const latest = jest.spyOn(store, 'latest');
  const instance = () => new HealthSnapshotCache(store, cache, TTL_MS);
  return { cache, latest, instance };
}

describe('HealthSnapshotCache', () => {
  it('serves a snapshot another instance wrote to the shared cache without reading the store', async () => {
    const { latest, instance } = await setUp();
    const written = await instance().refresh();
    expect(latest).toHaveBeenCalledTimes(1);

    const read = await instance().get();

    expect(latest).toHaveBeenCalledTimes(1);
    expect(read.version).toBe(written.version);
    expect(read.byEntity).toEqual(written.byEntity);
    expect(read.byEntity.get('component:default/iris')).toMatchObject([
      { environment: 'prod', state: 'healthy', latencyMs: 12 },
    ]);
  });

  it.each([
    ['an object (stored by an earlier plugin version)', { items: [] }],
    ['text that is not JSON', '{"version":'],
  ])(
    'recomputes from the store when the entry the version names is %s',
    async (_, entry) => {
      const { cache, latest, instance } = await setUp();
      await cache.set(VERSION_KEY, 'v1');
      await cache.set('health-snapshot/v1', entry);

      const snapshot = await instance().get();

      expect(latest).toHaveBeenCalledTimes(1);
      expect(snapshot.version).not.toBe('v1');
      expect(snapshot.byEntity.get('component:default/iris')).toHaveLength(1);
    },
  );
});
