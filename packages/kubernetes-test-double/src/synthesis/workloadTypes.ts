/** The parts of workload specs the simulation reads (manifests are not validated beyond these). */

export type Labels = Record<string, string>;

export interface ContainerSpec {
  name: string;
  image?: string;
  resources?: {
    requests?: Record<string, string | number>;
    limits?: Record<string, string | number>;
  };
  [field: string]: unknown;
}

export interface PodSpec {
  containers: ContainerSpec[];
  [field: string]: unknown;
}

export interface PodTemplate {
  metadata?: { labels?: Labels; annotations?: Labels };
  spec: PodSpec;
}

export interface DeploymentSpec {
  replicas?: number;
  minReadySeconds?: number;
  selector?: { matchLabels?: Labels; [field: string]: unknown };
  strategy?: {
    type?: string;
    rollingUpdate?: {
      maxSurge?: number | string;
      maxUnavailable?: number | string;
    };
  };
  template: PodTemplate;
  [field: string]: unknown;
}

export interface HorizontalPodAutoscalerSpec {
  scaleTargetRef: { apiVersion?: string; kind: string; name: string };
  minReplicas?: number;
  maxReplicas: number;
  metrics?: Array<{
    type: string;
    resource?: {
      name: string;
      target: { type: string; averageUtilization?: number };
    };
  }>;
}

export interface ContainerStatus {
  name: string;
  image: string;
  imageID: string;
  containerID?: string;
  ready: boolean;
  started: boolean;
  restartCount: number;
  state: Record<string, Record<string, unknown>>;
  lastState: Record<string, Record<string, unknown>>;
}

export interface PodStatus {
  phase: 'Pending' | 'Running';
  containerStatuses: ContainerStatus[];
  [field: string]: unknown;
}
