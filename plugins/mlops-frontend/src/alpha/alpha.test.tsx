import { screen } from '@testing-library/react';
import { convertLegacyRouteRef } from '@backstage/core-compat-api';
import { coreExtensionData } from '@backstage/frontend-plugin-api';
import {
  createExtensionTester,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import { mlopsApiRef } from '../api';
import { fakeMlopsApi, mlServiceEntity } from '../__testUtils__/fakes';
import {
  FIRST_RENDER_MS,
  FIRST_RENDER_TEST_MS,
} from '../__testUtils__/firstRender';
import { mlopsEntityCard } from './entityCards';
import { mlopsEntityContent } from './entityContents';
import { mlopsFleetPage } from './pages';
import mlopsFrontendPlugin from './plugin';

jest.setTimeout(FIRST_RENDER_TEST_MS);

const mlService = mlServiceEntity();
const plainComponent = mlServiceEntity({ 'github.com/project-slug': 'a/b' });

describe('new frontend system extensions', () => {
  it('shows the card only on ML services', () => {
    const filter = createExtensionTester(mlopsEntityCard).get(
      EntityCardBlueprint.dataRefs.filterFunction,
    );
    expect(filter?.(mlService)).toBe(true);
    expect(filter?.(plainComponent)).toBe(false);
  });

  it('adds an "ML service" tab to ML services only', () => {
    const tester = createExtensionTester(mlopsEntityContent);
    expect(tester.get(coreExtensionData.routePath)).toBe('/ml-service');
    expect(tester.get(EntityContentBlueprint.dataRefs.title)).toBe(
      'ML service',
    );
    const filter = tester.get(EntityContentBlueprint.dataRefs.filterFunction);
    expect(filter?.(mlService)).toBe(true);
    expect(filter?.(plainComponent)).toBe(false);
  });

  it('mounts the fleet page at /ml-services', async () => {
    const tester = createExtensionTester(mlopsFleetPage);
    expect(tester.get(coreExtensionData.routePath)).toBe('/ml-services');
    renderInTestApp(tester.reactElement(), {
      apis: [[mlopsApiRef, fakeMlopsApi()]],
      mountedRoutes: {
        '/catalog/:namespace/:kind/:name':
          convertLegacyRouteRef(entityRouteRef),
      },
    });
    expect(
      await screen.findByText('ML services: 4 of 4 endpoints', undefined, {
        timeout: FIRST_RENDER_MS,
      }),
    ).toBeInTheDocument();
  });

  it('provides the plugin with every extension', () => {
    expect(mlopsFrontendPlugin.id).toBe('mlops');
    expect(mlopsFrontendPlugin.getExtension('api:mlops')).toBeDefined();
    expect(
      mlopsFrontendPlugin.getExtension('entity-card:mlops/ml-service'),
    ).toBeDefined();
    expect(
      mlopsFrontendPlugin.getExtension('entity-content:mlops/ml-service'),
    ).toBeDefined();
    expect(mlopsFrontendPlugin.getExtension('page:mlops')).toBeDefined();
  });
});
