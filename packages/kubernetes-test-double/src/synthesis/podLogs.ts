import { KubernetesObject } from '../types';
import { ContainerSpec, PodStatus } from './workloadTypes';

export type PodLogResult =
  | { ok: true; text: string }
  | { ok: false; message: string };

const BANNER =
  '[simulation] These lines were written by the Kubernetes test double; no container is running.';

const STARTUP = [
  'INFO:     Started server process [1]',
  'INFO:     Waiting for application startup.',
];

const SERVING = [
  'INFO:     Application startup complete.',
  'INFO:     Uvicorn running on http://0.0.0.0:8080 (Press CTRL+C to quit)',
];

const CRASH = [
  'ERROR:    Traceback (most recent call last):',
  '  File "/app/app/main.py", line 41, in lifespan',
  '    model = load_model(settings.model_path)',
  "FileNotFoundError: [Errno 2] No such file or directory: '/app/artifacts/model.joblib'",
  'ERROR:    Application startup failed. Exiting.',
];

/**
 * The log `GET /api/v1/namespaces/{ns}/pods/{name}/log?container=…&previous` returns, or the
 * error message a kubelet gives when there is no such log.
 */
export function simulatedPodLog(
  pod: KubernetesObject,
  containerName: string | undefined,
  previous: boolean,
): PodLogResult {
  const podName = pod.metadata.name;
  const containers = (pod.spec as { containers: ContainerSpec[] }).containers;
  const names = containers.map(container => container.name);
  if (containerName === undefined && names.length !== 1) {
    return {
      ok: false,
      message: `a container name must be specified for pod ${podName}, choose one of: [${names.join(
        ' ',
      )}]`,
    };
  }
  const name = containerName ?? names[0];
  const status = (pod.status as PodStatus).containerStatuses.find(
    containerStatus => containerStatus.name === name,
  );
  if (!status) {
    return {
      ok: false,
      message: `container ${name} is not valid for pod ${podName}`,
    };
  }
  const terminated = status.lastState.terminated;
  if (previous) {
    if (!terminated) {
      return {
        ok: false,
        message: `previous terminated container "${name}" in pod "${podName}" not found`,
      };
    }
    const ending = terminated.reason === 'OOMKilled' ? SERVING : CRASH;
    return logOf([...STARTUP, ...ending]);
  }
  const waiting = status.state.waiting;
  if (waiting?.reason === 'CrashLoopBackOff') {
    return logOf([...STARTUP, ...CRASH]);
  }
  if (waiting) {
    // As the API server words it: the image pull errors as one, any other reason as it is.
    const reason = String(waiting.reason);
    const why = /Image|Pull/.test(reason)
      ? 'trying and failing to pull image'
      : reason;
    return {
      ok: false,
      message: `container "${name}" in pod "${podName}" is waiting to start: ${why}`,
    };
  }
  if (!status.ready) {
    return logOf([
      ...STARTUP,
      ...SERVING,
      'INFO:     10.0.1.10:51234 - "GET /v2/health/ready HTTP/1.1" 503 Service Unavailable',
    ]);
  }
  return logOf([
    ...STARTUP,
    ...SERVING,
    'INFO:     10.0.1.10:51234 - "GET /v2/health/ready HTTP/1.1" 200 OK',
  ]);
}

function logOf(lines: string[]): PodLogResult {
  return { ok: true, text: `${[BANNER, ...lines].join('\n')}\n` };
}
