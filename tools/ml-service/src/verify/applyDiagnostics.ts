const REQUEST_LINE = /^\S+ - - \[[^\]]*\] "[^"]*" (\d{3}) /;

/**
 * What in moto's log can explain a failed apply: the requests it answered
 * with a server error and the tracebacks it printed, last `maxLines` lines.
 * Client errors (4xx) are left out: an apply reads absent objects on purpose.
 */
export function motoTrouble(log: string, maxLines = 60): string {
  const kept: string[] = [];
  let inTraceback = false;
  for (const line of log.split('\n')) {
    const status = REQUEST_LINE.exec(line)?.[1];
    if (status !== undefined) {
      inTraceback = false;
      if (status.startsWith('5')) kept.push(line);
    } else if (line.startsWith('Traceback ')) {
      inTraceback = true;
      kept.push(line);
    } else if (inTraceback && line.trim() !== '') {
      kept.push(line);
    }
  }
  if (kept.length === 0) {
    return "moto's log has no server error and no traceback";
  }
  return `moto's log, server errors and tracebacks:\n${kept
    .slice(-maxLines)
    .join('\n')}`;
}

const ENTRY_START = /\n(?=\d{4}-\d\d-\d\dT)/;

function attribute(entry: string, name: string): string | undefined {
  return new RegExp(`\\b${name}=(\\w+)`).exec(entry)?.[1];
}

/**
 * The calls the provider's AWS SDK sent more than once, from a
 * `TF_LOG_PROVIDER=DEBUG` log (every request carries its attempt number): a
 * retried call that had already taken effect in moto is how an apply meets
 * its own resource (EntityAlreadyExists, BucketAlreadyOwnedByYou).
 */
export function sdkRetries(log: string, maxLines = 20): string {
  const retried = log
    .split(ENTRY_START)
    .filter(entry => entry.includes('HTTP Request Sent'))
    .flatMap(entry => {
      const attempt = Number(/attempt=(\d+);/.exec(entry)?.[1] ?? 1);
      if (attempt < 2) return [];
      const service = attribute(entry, 'rpc\\.service') ?? '?';
      const method = attribute(entry, 'rpc\\.method') ?? '?';
      return [`${entry.slice(0, 24)} ${service} ${method}, attempt ${attempt}`];
    });
  if (retried.length === 0) {
    return "the provider's AWS SDK sent every call once";
  }
  return `calls the provider's AWS SDK retried (${retried.length}):\n${retried
    .slice(-maxLines)
    .join('\n')}`;
}
