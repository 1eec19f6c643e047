/*
 * The checked-in fixture (__fixtures__/rendered-manifests.yaml) is the template rendered once.
 * These checks read the template as text and fail when it drifts from the fixture: other kinds or
 * names, or a different join key between the catalog entity and the workloads. Re-render the
 * fixture as its header says when they fail.
 */
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'yaml';
import { parseManifests } from './manifests';

const REPO_ROOT = path.resolve(__dirname, '../../..');
const TEMPLATE = path.join(REPO_ROOT, 'templates/ml-service');
const BASE = path.join(TEMPLATE, 'skeleton/k8s/base');
const OVERLAY = path.join(
  TEMPLATE,
  'environment/k8s/overlays/${{ values.environment }}',
);
const FIXTURE = path.join(__dirname, '__fixtures__/rendered-manifests.yaml');
const VALUES_FILE = 'examples/values/classification-new-eu.yaml';

const values = yaml.parse(
  fs.readFileSync(path.join(REPO_ROOT, VALUES_FILE), 'utf8'),
) as { name: string; namespace: string; clusterMode: string };
const fixtureText = fs.readFileSync(FIXTURE, 'utf8');
const fixture = parseManifests(fixtureText);
const read = (file: string) => fs.readFileSync(file, 'utf8');
const KUBERNETES_ID = 'backstage.io/kubernetes-id';

/** `kind` and `metadata.name` of each document of a template file, with values.name filled in. */
function declaredObjects(text: string): string[] {
  return text.split(/^---\s*$/m).flatMap(document => {
    const kind = /^kind:\s*(\S+)/m.exec(document)?.[1];
    const name =
      /^metadata:\s*\n(?:[ \t]+.*\n)*?[ \t]+name:[ \t]*(.+?)[ \t]*$/m.exec(
        document,
      )?.[1];
    if (!kind || !name) {
      return [];
    }
    return [`${kind}/${name.replaceAll('${{ values.name }}', values.name)}`];
  });
}

describe('the rendered-manifests fixture matches the template', () => {
  it('says how it was produced, from the values file it was produced with', () => {
    expect(fixtureText).toContain(
      `yarn ml-service:render --values ${VALUES_FILE}`,
    );
    expect(fixtureText).toContain('kubectl kustomize');
    expect(values.clusterMode).toBe('new');
  });

  it('has exactly the objects k8s/base declares, plus the namespace the overlay adds', () => {
    const kustomization = read(path.join(BASE, 'kustomization.yaml'));
    const resources = [
      ...kustomization.matchAll(/^\s+-\s+(\S+\.yaml)\s*$/gm),
    ].map(match => match[1]);
    const baseFiles = fs
      .readdirSync(BASE)
      .filter(file => file.endsWith('.yaml') && file !== 'kustomization.yaml');
    expect([...resources].sort()).toEqual([...baseFiles].sort());

    const overlay = read(path.join(OVERLAY, 'kustomization.yaml'));
    expect(overlay).toMatch(/^\s+-\s+namespace\.yaml\s*$/m);
    expect(overlay).toMatch(/^\s+-\s+\.\.\/\.\.\/base\s*$/m);

    const declared = [
      ...resources.flatMap(file =>
        declaredObjects(read(path.join(BASE, file))),
      ),
      `Namespace/${values.namespace}`,
    ];
    const rendered = fixture.map(o => `${o.kind}/${o.metadata.name}`);
    expect(rendered.sort()).toEqual(declared.sort());
  });

  it('labels every object and the pod template with the kubernetes-id the entity is annotated with', () => {
    const kustomization = read(path.join(BASE, 'kustomization.yaml'));
    expect(kustomization).toMatch(
      new RegExp(
        `^\\s+${KUBERNETES_ID.replace(
          '.',
          '\\.',
        )}: \\$\\{\\{ values\\.name \\}\\}$`,
        'm',
      ),
    );
    expect(kustomization).toMatch(/includeTemplates: true/);
    const catalogInfo = read(path.join(TEMPLATE, 'skeleton/catalog-info.yaml'));
    expect(catalogInfo).toContain(`${KUBERNETES_ID}: \${{ values.name }}`);

    for (const object of fixture) {
      expect({
        object: `${object.kind}/${object.metadata.name}`,
        id: object.metadata.labels?.[KUBERNETES_ID],
      }).toEqual({
        object: `${object.kind}/${object.metadata.name}`,
        id: values.name,
      });
    }
    const deployment = fixture.find(o => o.kind === 'Deployment') as any;
    expect(deployment.spec.template.metadata.labels[KUBERNETES_ID]).toBe(
      values.name,
    );
  });

  it('puts the workloads in the namespace the entity is annotated with', () => {
    const catalogInfo = read(path.join(TEMPLATE, 'skeleton/catalog-info.yaml'));
    expect(catalogInfo).toContain('backstage.io/kubernetes-namespace:');
    const namespaces = new Set(
      fixture
        .filter(o => o.kind !== 'Namespace')
        .map(o => o.metadata.namespace),
    );
    expect([...namespaces]).toEqual([values.namespace]);
  });
});
