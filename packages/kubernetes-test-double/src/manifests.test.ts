import { createMockDirectory } from '@backstage/backend-test-utils';
import { loadManifests } from './loadManifests';
import { parseManifests } from './manifests';

const SERVICE = `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  ports:
    - port: 80
`;
const CONFIG_MAP = `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
`;

describe('parseManifests', () => {
  it('reads multi-document YAML, skipping empty documents and flattening Lists', () => {
    const objects = parseManifests(
      `---\n${SERVICE}---\n# only a comment\n---\napiVersion: v1\nkind: List\nitems:\n  - ${CONFIG_MAP.replace(
        /\n/g,
        '\n    ',
      ).trim()}\n`,
    );
    expect(objects.map(o => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Service/web',
      'ConfigMap/settings',
    ]);
  });

  it('copies parsed objects instead of keeping them', () => {
    const given = [
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } },
    ];
    const [parsed] = parseManifests(given);
    parsed.metadata.name = 'b';
    expect(given[0].metadata.name).toBe('a');
  });

  it.each([
    ['a: [', /document 1 is not valid YAML/],
    ['- 1\n', /document 1 is not a Kubernetes object/],
    ['apiVersion: v1\nmetadata:\n  name: x\n', /document 1 has no kind/],
    [
      `${SERVICE}---\napiVersion: v1\nkind: Pod\n`,
      /document 2 \(Pod\) has no metadata.name/,
    ],
  ])('rejects %j', (text, message) => {
    expect(() => parseManifests(text)).toThrow(message);
  });
});

describe('loadManifests', () => {
  const directory = createMockDirectory();

  it('reads a file as it is', async () => {
    directory.setContent({ 'all.yaml': SERVICE });
    expect(await loadManifests(directory.resolve('all.yaml'))).toBe(SERVICE);
  });

  it('joins the YAML files of a directory without a kustomization', async () => {
    directory.setContent({
      'b.yml': CONFIG_MAP,
      'a.yaml': SERVICE,
      'notes.txt': 'x',
    });
    const objects = parseManifests(await loadManifests(directory.path));
    expect(objects.map(o => o.kind)).toEqual(['Service', 'ConfigMap']);
  });

  it('renders a kustomization with kubectl kustomize', async () => {
    directory.setContent({
      'service.yaml': SERVICE,
      'kustomization.yaml':
        'resources:\n  - service.yaml\nnamespace: shop\ncommonLabels:\n  team: web\n',
    });
    const [service] = parseManifests(await loadManifests(directory.path));
    expect(service.metadata).toMatchObject({
      name: 'web',
      namespace: 'shop',
      labels: { team: 'web' },
    });
  });

  it('explains a kustomization kubectl cannot render', async () => {
    directory.setContent({
      'kustomization.yaml': 'resources:\n  - missing.yaml\n',
    });
    await expect(loadManifests(directory.path)).rejects.toThrow(
      /kubectl kustomize .* failed: .*missing\.yaml/s,
    );
  });
});
