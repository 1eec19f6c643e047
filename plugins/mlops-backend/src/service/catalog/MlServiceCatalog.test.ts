import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { MLOPS_ANNOTATIONS } from '@eks-mlops/backstage-plugin-mlops-common';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { MlServiceCatalog } from './MlServiceCatalog';

function component(name: string, annotations: Record<string, string>): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, annotations },
    spec: { type: 'service', lifecycle: 'production', owner: 'group:ml' },
  };
}

const modelService = (i: number) =>
  component(`model-${String(i).padStart(4, '0')}`, {
    [MLOPS_ANNOTATIONS.inferenceUrl]: `http://models.example.com/m/${i}`,
  });

describe('MlServiceCatalog', () => {
  // More than one page (500): the second page is read through the cursor.
  const ML_SERVICES = 501;
  const entities = [
    ...Array.from({ length: ML_SERVICES }, (_, i) => modelService(i)).reverse(),
    component('plain-service', {}),
  ];

  it('lists every entity declaring an endpoint, over several pages, sorted by entity ref', async () => {
    const catalog = new MlServiceCatalog(
      catalogServiceMock({ entities }),
      mockServices.logger.mock(),
    );

    const services = await catalog.list(mockCredentials.service());

    expect(services).toHaveLength(ML_SERVICES);
    expect(services[0]).toMatchObject({
      entityRef: 'component:default/model-0000',
      owner: 'group:ml',
      endpoints: [{ url: 'http://models.example.com/m/0' }],
    });
    const refs = services.map(s => s.entityRef);
    expect(refs).toEqual([...refs].sort());
  });

  it('asks for no order, which a full read does not need, and only parameters every catalog backend accepts', async () => {
    const mock = catalogServiceMock({ entities });
    const queryEntities = jest.spyOn(mock, 'queryEntities');
    const catalog = new MlServiceCatalog(mock, mockServices.logger.mock());

    await catalog.list(mockCredentials.service());

    expect(queryEntities).toHaveBeenCalledTimes(2);
    const [firstPage] = queryEntities.mock.calls[0];
    expect(firstPage).not.toHaveProperty('orderFields');
    expect(firstPage).toMatchObject({ limit: 500 });
    expect(firstPage).not.toHaveProperty('totalItems');
  });
});
