import { NotFoundError } from '@backstage/errors';
import fs from 'node:fs/promises';
import path from 'node:path';
import {
  ADDRESS,
  localGitHub,
  publishedRepository,
} from './__testUtils__/localGitHub';

describe('RecordedGitHubSettings', () => {
  it('keeps the record beside the bare repository', async () => {
    const { repositories, settings } = await localGitHub();
    expect(settings.pathOf(ADDRESS)).toBe(
      path.join(
        repositories.directory,
        'github.com/acme/churn-model.github.json',
      ),
    );
  });

  it('refuses to record for a repository that was never published', async () => {
    const { settings } = await localGitHub();
    await expect(settings.update(ADDRESS, record => record)).rejects.toThrow(
      NotFoundError,
    );
    await expect(fs.access(settings.pathOf(ADDRESS))).rejects.toThrow();
  });

  it('starts a new repository with a fresh record, replacing a stale one', async () => {
    const { settings } = await publishedRepository();
    await settings.update(ADDRESS, record => ({
      ...record,
      dispatches: [
        {
          workflowId: 'deploy.yml',
          ref: 'main',
          commit: 'c',
          inputs: {},
          recordedAt: 'now',
        },
      ],
    }));

    await settings.create(ADDRESS, {
      visibility: 'internal',
      variables: { A: 'a' },
      secretNames: [],
      collaborators: [],
    });

    expect(await settings.read(ADDRESS)).toMatchObject({
      repository: 'github.com/acme/churn-model',
      visibility: 'internal',
      variables: { A: 'a' },
      environments: {},
      dispatches: [],
    });
  });

  it('applies concurrent changes one after another, leaving no temporary files', async () => {
    const { settings } = await publishedRepository();
    const names = Array.from({ length: 12 }, (_, i) => `env${i}`);

    await Promise.all(
      names.map(name =>
        settings.update(ADDRESS, record => ({
          ...record,
          variables: { ...record.variables, [name]: name },
        })),
      ),
    );

    const record = JSON.parse(
      await fs.readFile(settings.pathOf(ADDRESS), 'utf8'),
    );
    expect(Object.keys(record.variables).sort()).toEqual([...names].sort());
    const files = await fs.readdir(path.dirname(settings.pathOf(ADDRESS)));
    expect(files.sort()).toEqual([
      'churn-model.git',
      'churn-model.github.json',
    ]);
  });

  it('goes on after a change that failed', async () => {
    const { settings } = await publishedRepository();
    const failed = settings.update(ADDRESS, () => {
      throw new Error('broken change');
    });
    const next = settings.update(ADDRESS, record => ({
      ...record,
      visibility: 'public',
    }));
    await expect(failed).rejects.toThrow('broken change');
    await expect(next).resolves.toMatchObject({ visibility: 'public' });
  });
});
