import {
  createApiFactory,
  discoveryApiRef,
  fetchApiRef,
  googleAuthApiRef,
  microsoftAuthApiRef,
} from '@backstage/core-plugin-api';
import { SidebarItem } from '@backstage/core-components';
import { createDevApp } from '@backstage/dev-utils';
import {
  KubernetesAuthProviders,
  kubernetesApiRef,
  kubernetesAuthProvidersApiRef,
  KubernetesBackendClient,
} from '@backstage/plugin-kubernetes-react';
import { MlFleetPage, mlopsPlugin } from '../src';
import CategoryIcon from '@material-ui/icons/Category';
import { DemoEntityPage } from './DemoEntityPage';
import { demoEntity } from './demoEntity';

// The plugin's own API factory talks to the mlops backend; the Kubernetes
// plugin's clients talk to the Kubernetes backend of the same Backstage.
createDevApp()
  .registerPlugin(mlopsPlugin)
  .registerApi(
    createApiFactory({
      api: kubernetesAuthProvidersApiRef,
      deps: {
        googleAuthApi: googleAuthApiRef,
        microsoftAuthApi: microsoftAuthApiRef,
      },
      factory: ({ googleAuthApi, microsoftAuthApi }) =>
        new KubernetesAuthProviders({ googleAuthApi, microsoftAuthApi }),
    }),
  )
  .registerApi(
    createApiFactory({
      api: kubernetesApiRef,
      deps: {
        discoveryApi: discoveryApiRef,
        fetchApi: fetchApiRef,
        kubernetesAuthProvidersApi: kubernetesAuthProvidersApiRef,
      },
      factory: ({ discoveryApi, fetchApi, kubernetesAuthProvidersApi }) =>
        new KubernetesBackendClient({
          discoveryApi,
          fetchApi,
          kubernetesAuthProvidersApi,
        }),
    }),
  )
  .addPage({
    path: '/ml-services',
    title: 'ML services',
    element: <MlFleetPage />,
  })
  .addPage({
    path: '/catalog/:namespace/:kind/:name',
    element: <DemoEntityPage />,
  })
  .addSidebarItem(
    <SidebarItem
      to={`/catalog/default/component/${demoEntity.metadata.name}`}
      text="Demo entity"
      icon={CategoryIcon}
    />,
  )
  .render();
