import {
  DeploymentFetchResponse,
  HorizontalPodAutoscalersFetchResponse,
  PodFetchResponse,
} from '@backstage/plugin-kubernetes-common';

/** The Kubernetes objects the Kubernetes plugin returns for an entity. */
export type Deployment = DeploymentFetchResponse['resources'][number];
export type Pod = PodFetchResponse['resources'][number];
export type Autoscaler =
  HorizontalPodAutoscalersFetchResponse['resources'][number];
export type ContainerStatus = NonNullable<
  NonNullable<Pod['status']>['containerStatuses']
>[number];
