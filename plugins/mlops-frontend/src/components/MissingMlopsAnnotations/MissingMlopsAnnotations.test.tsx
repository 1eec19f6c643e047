import { screen } from '@testing-library/react';
import { Entity } from '@backstage/catalog-model';
import { mlServiceEntity } from '../../__testUtils__/fakes';
import { renderWithMlops } from '../../__testUtils__/renderWithMlops';
import { isMlServiceAvailable } from '../../isMlServiceAvailable';
import {
  exampleAnnotations,
  MissingMlopsAnnotations,
} from './MissingMlopsAnnotations';

/** The annotations of the example's YAML, its commented alternatives left out. */
function annotationsOf(yaml: string): Record<string, string> {
  const entries = yaml
    .split('\n')
    .map(line => /^ {4}([\w./-]+): (\S+)/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null)
    .map(match => [match[1], match[2]]);
  return Object.fromEntries(entries);
}

function entityWith(annotations: Record<string, string>): Entity {
  return mlServiceEntity(annotations, 'churn-model');
}

describe('exampleAnnotations', () => {
  const example = exampleAnnotations('churn-model');
  const annotations = annotationsOf(example);

  it('makes an ML service', () => {
    expect(isMlServiceAvailable(entityWith(annotations))).toBe(true);
  });

  it('offers the Kubernetes target as the alternative to the URL', () => {
    const alternative = /^ {4}# (mlops\/kubernetes-service): (\S+)/m.exec(
      example,
    );
    expect(alternative?.[2]).toBe('ml-prod/ml-services/churn-model:http');
    const { 'mlops/inference-url': _url, ...withoutUrl } = annotations;
    expect(
      isMlServiceAvailable(entityWith({ [alternative![1]]: alternative![2] })),
    ).toBe(true);
    expect(
      isMlServiceAvailable(
        entityWith({ ...withoutUrl, [alternative![1]]: alternative![2] }),
      ),
    ).toBe(true);
  });

  it('does not call the URL required', () => {
    expect(example).not.toMatch(/required/);
  });
});

describe('MissingMlopsAnnotations', () => {
  it('names both primary endpoint annotations', async () => {
    await renderWithMlops(
      <MissingMlopsAnnotations entity={entityWith({})} compact />,
    );
    expect(
      screen.getByText(
        /mlops\/inference-url \(its base URL\) or mlops\/kubernetes-service/,
      ),
    ).toBeInTheDocument();
  });
});
