/** Lower-cases a host name and drops a trailing dot and IPv6 brackets. */
export function normalizeHost(host: string): string {
  return host
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
}

/**
 * Whether `host` matches one allowlist pattern.
 *
 * `*.example.com` matches any name below `example.com` at any depth
 * (`a.example.com`, `svc.ns.example.com`) but not `example.com` itself, so
 * `*.svc.cluster.local` covers `<service>.<namespace>.svc.cluster.local`.
 * Any other pattern must equal the host exactly (IP literals included).
 */
export function hostMatchesPattern(host: string, pattern: string): boolean {
  const name = normalizeHost(host);
  const rule = normalizeHost(pattern.trim());
  if (rule.startsWith('*.')) {
    const suffix = rule.slice(1);
    return name.length > suffix.length && name.endsWith(suffix);
  }
  return name === rule;
}

/** An empty allowlist allows every host; address checks still apply. */
export function isHostAllowed(host: string, allowedHosts: string[]): boolean {
  return (
    allowedHosts.length === 0 ||
    allowedHosts.some(pattern => hostMatchesPattern(host, pattern))
  );
}
