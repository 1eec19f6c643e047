import { LookupAddress } from 'node:dns';
import { lookup as dnsLookup } from 'node:dns/promises';
import {
  Agent as HttpAgent,
  IncomingHttpHeaders,
  IncomingMessage,
  request as httpRequest,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { isIP, LookupFunction } from 'node:net';
import { refusalReason } from './addressPolicy';
import { isHostAllowed, normalizeHost } from './hostPolicy';
import { classifyNetworkError, OutboundError } from './OutboundError';

/** Options of the SSRF guard every outbound request of the plugin goes through. */
export interface OutboundGuardOptions {
  /** Host patterns (`models.example.com`, `*.svc.cluster.local`); empty allows any host. */
  allowedHosts?: string[];
  /** Allow loopback, link-local and private ranges; metadata addresses stay refused. */
  allowPrivateNetworks?: boolean;
  /** Overall time for one request, redirects and body included. Default 5000. */
  timeoutMs?: number;
  /** Default 1 MiB. */
  maxResponseBytes?: number;
  /** Default 3. */
  maxRedirects?: number;
  /** Resolves a host name to all its addresses; defaults to `dns.lookup`. */
  resolve?: (hostname: string) => Promise<LookupAddress[]>;
}

export interface OutboundRequest {
  url: string;
  method?: 'GET' | 'POST';
  /** Only the headers meant for the target; credentials are dropped anyway. */
  headers?: Record<string, string>;
  body?: string | Buffer;
  /**
   * An origin (`http://host:port`) the caller vouches for because it comes
   * from the backend's own service discovery, never from an entity: the
   * Kubernetes plugin's base URL. At exactly that origin the host allowlist
   * and the private-range refusal do not apply; metadata and unroutable
   * addresses are refused there too, and every other URL, redirects
   * included, goes through the whole guard.
   */
  trustedOrigin?: string;
  /**
   * A Backstage token for `trustedOrigin`, sent as `Authorization: Bearer`
   * to that origin only, never to a redirect elsewhere.
   */
  bearerToken?: string;
}

export interface OutboundResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The URL that answered, after redirects. */
  url: string;
  /** From the start (DNS and redirects included) to the last body byte read. */
  latencyMs: number;
}

export interface OutboundClient {
  request(request: OutboundRequest): Promise<OutboundResponse>;
  /** Closes the kept-alive connections; call on shutdown. */
  close(): void;
}

const DEFAULTS = {
  timeoutMs: 5000,
  maxResponseBytes: 1024 * 1024,
  maxRedirects: 3,
};

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

// Credentials and hop-by-hop headers are never sent, whoever set them: the
// guard must not become a way to leak Backstage tokens or cookies.
const DROPPED_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'host',
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'content-length',
  'forwarded',
]);

function sanitizeHeaders(
  headers: Record<string, string> = {},
): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const key = name.toLowerCase();
    if (!DROPPED_HEADERS.has(key) && !key.startsWith('x-forwarded-')) {
      result[key] = value;
    }
  }
  return result;
}

/** As fetch does: 303, and 301/302 after a POST, continue as a GET without body. */
function becomesGet(status: number, method: string): boolean {
  return (
    status === 303 || (method === 'POST' && (status === 301 || status === 302))
  );
}

function withoutHeader(
  headers: Record<string, string>,
  name: string,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).filter(([key]) => key !== name),
  );
}

function blocked(message: string): OutboundError {
  return new OutboundError('blocked', message);
}

function parseTarget(raw: string, base?: URL): URL {
  let url: URL;
  try {
    url = new URL(raw, base);
  } catch {
    throw blocked(`invalid URL: ${raw}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw blocked(`scheme ${url.protocol} is not allowed`);
  }
  if (url.username || url.password) {
    throw blocked('URLs with credentials are not allowed');
  }
  // Any other port is allowed: model servers listen on 8080, 8000, 9000 and
  // more, and the host allowlist and address checks are what bound the target.
  if (url.port === '0') throw blocked('port 0 is not allowed');
  return url;
}

interface PinnedTarget {
  url: URL;
  address: string;
  family: number;
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => {
      signal.removeEventListener('abort', onAbort);
    });
  });
}

/** Connects to the vetted address whatever the name resolves to by then. */
function pinnedLookup(address: string, family: number): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  };
}

function readCapped(
  response: IncomingMessage,
  maxBytes: number,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(response.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) {
      response.destroy();
      reject(tooLarge(maxBytes));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    response.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        response.destroy();
        reject(tooLarge(maxBytes));
        return;
      }
      chunks.push(chunk);
    });
    response.on('end', () => resolve(Buffer.concat(chunks)));
    response.on('error', reject);
    response.on('close', () => {
      if (!response.complete) {
        reject(new OutboundError('reset', 'connection closed mid-body'));
      }
    });
  });
}

function tooLarge(maxBytes: number): OutboundError {
  return new OutboundError(
    'too-large',
    `response body exceeds ${maxBytes} bytes`,
  );
}

/** Creates the guarded client; see {@link OutboundGuardOptions}. */
export function createOutboundClient(
  options: OutboundGuardOptions = {},
): OutboundClient {
  const allowedHosts = options.allowedHosts ?? [];
  const allowPrivateNetworks = options.allowPrivateNetworks ?? false;
  const timeoutMs = options.timeoutMs ?? DEFAULTS.timeoutMs;
  const maxResponseBytes =
    options.maxResponseBytes ?? DEFAULTS.maxResponseBytes;
  const maxRedirects = options.maxRedirects ?? DEFAULTS.maxRedirects;
  // Kept-alive connections save a handshake per call, which is most of a
  // probe cycle's CPU. Reuse is safe: every request is vetted (allowlist, DNS,
  // address policy) before it may take a pooled connection, and a pooled
  // connection only ever reached an address that was vetted for that host.
  const agents = {
    http: new HttpAgent({ keepAlive: true, maxFreeSockets: 256 }),
    https: new HttpsAgent({ keepAlive: true, maxFreeSockets: 256 }),
  };
  const resolveHost =
    options.resolve ??
    ((hostname: string) => dnsLookup(hostname, { all: true, verbatim: true }));

  async function resolveAll(
    host: string,
    signal: AbortSignal,
  ): Promise<LookupAddress[]> {
    const family = isIP(host);
    if (family !== 0) return [{ address: host, family }];
    try {
      return await abortable(resolveHost(host), signal);
    } catch (error) {
      if (signal.aborted) throw error;
      throw new OutboundError(
        'dns',
        `cannot resolve ${host}: ${(error as Error).message}`,
      );
    }
  }

  async function vet(
    url: URL,
    signal: AbortSignal,
    trustedOrigin: string | undefined,
  ): Promise<PinnedTarget> {
    const host = normalizeHost(url.hostname);
    const trusted = trustedOrigin !== undefined && url.origin === trustedOrigin;
    if (!trusted && !isHostAllowed(host, allowedHosts)) {
      throw blocked(`host ${host} is not in the allowlist`);
    }
    const addresses = await resolveAll(host, signal);
    if (addresses.length === 0) {
      throw new OutboundError('dns', `${host} has no addresses`);
    }
    for (const { address } of addresses) {
      const reason = refusalReason(address, allowPrivateNetworks || trusted);
      if (reason) throw blocked(`${host} refused: ${reason}`);
    }
    return { url, address: addresses[0].address, family: addresses[0].family };
  }

  function open(
    target: PinnedTarget,
    method: string,
    headers: Record<string, string>,
    body: Buffer | undefined,
    signal: AbortSignal,
  ): Promise<IncomingMessage> {
    const { url } = target;
    const hostname = normalizeHost(url.hostname);
    const https = url.protocol === 'https:';
    const send = https ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = send({
        protocol: url.protocol,
        hostname,
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        method,
        headers: {
          ...headers,
          host: url.host,
          ...(body ? { 'content-length': String(body.length) } : {}),
        },
        lookup: pinnedLookup(target.address, target.family),
        servername: isIP(hostname) ? undefined : hostname,
        agent: https ? agents.https : agents.http,
        signal,
      });
      req.on('response', resolve);
      req.on('error', reject);
      req.end(body);
    });
  }

  async function follow(
    request: OutboundRequest,
    signal: AbortSignal,
  ): Promise<{ url: URL; response: IncomingMessage }> {
    let url = parseTarget(request.url);
    let method = request.method ?? 'GET';
    let headers = sanitizeHeaders(request.headers);
    let body =
      request.body === undefined ? undefined : Buffer.from(request.body);
    const { trustedOrigin, bearerToken } = request;
    for (let hop = 0; ; hop++) {
      const target = await vet(url, signal, trustedOrigin);
      const credentials: Record<string, string> =
        bearerToken && trustedOrigin && url.origin === trustedOrigin
          ? { authorization: `Bearer ${bearerToken}` }
          : {};
      const response = await open(
        target,
        method,
        { ...headers, ...credentials },
        body,
        signal,
      );
      const location = response.headers.location;
      if (!REDIRECT_STATUSES.has(response.statusCode ?? 0) || !location) {
        return { url, response };
      }
      response.on('error', () => {});
      response.destroy();
      if (hop >= maxRedirects) {
        throw blocked(`more than ${maxRedirects} redirects`);
      }
      const next = parseTarget(location, url);
      if (becomesGet(response.statusCode ?? 0, method)) {
        method = 'GET';
        body = undefined;
        headers = withoutHeader(headers, 'content-type');
      }
      url = next;
    }
  }

  return {
    async request(request) {
      const started = performance.now();
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), timeoutMs);
      try {
        const { url, response } = await follow(request, controller.signal);
        const body = await readCapped(response, maxResponseBytes);
        return {
          status: response.statusCode ?? 0,
          headers: response.headers,
          body,
          url: url.toString(),
          latencyMs: Math.round(performance.now() - started),
        };
      } catch (error) {
        throw classifyNetworkError(error, controller.signal.aborted);
      } finally {
        clearTimeout(timer);
      }
    },
    close() {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}
