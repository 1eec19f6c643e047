import { ReactNode } from 'react';
import { Entity } from '@backstage/catalog-model';
import {
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { MlopsApi, mlopsApiRef } from '../api';
import { rootRouteRef } from '../routes';
import healthyKubernetes from '../__fixtures__/kubernetes-healthy.json';
import {
  ApiPair,
  fakeKubernetesApis,
  fakeMlopsApi,
  fakePermissionApi,
} from './fakes';

export interface RenderOptions {
  entity?: Entity;
  mlopsApi?: Partial<MlopsApi>;
  /** Objects the Kubernetes API answers with, or `null` for no Kubernetes plugin. */
  kubernetes?: unknown | null;
  /** Names of the clusters the Kubernetes API lists (default: the fixtures' one). */
  kubernetesClusters?: string[];
  predictAllowed?: boolean;
  apis?: ApiPair[];
}

export async function renderWithMlops(
  element: ReactNode,
  options: RenderOptions = {},
) {
  const kubernetes =
    options.kubernetes === undefined ? healthyKubernetes : options.kubernetes;
  const apis: ApiPair[] = [
    [mlopsApiRef, options.mlopsApi ?? fakeMlopsApi()],
    [permissionApiRef, fakePermissionApi(options.predictAllowed ?? true)],
    ...(kubernetes === null
      ? []
      : fakeKubernetesApis(kubernetes, options.kubernetesClusters)),
    ...(options.apis ?? []),
  ];
  return renderInTestApp(
    <TestApiProvider apis={apis}>
      {options.entity ? (
        <EntityProvider entity={options.entity}>{element}</EntityProvider>
      ) : (
        element
      )}
    </TestApiProvider>,
    {
      mountedRoutes: {
        '/catalog/:namespace/:kind/:name': entityRouteRef,
        '/ml-services': rootRouteRef,
      },
    },
  );
}
