import { LookupAddress } from 'node:dns';
import { lookup as dnsLookup } from 'node:dns/promises';
import { IncomingHttpHeaders } from 'node:http';
import { isIP } from 'node:net';
import { Agent, buildConnector, Dispatcher } from 'undici';
import { setNewest } from '../boundedMap';
import { addressRefusal } from './addressPolicy';
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
  /** How long a host name's addresses are reused (0: never). Default 10000. */
  dnsAnswerTtlMs?: number;
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
  /** This request's overall time, instead of the client's `timeoutMs`. */
  timeoutMs?: number;
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
  /** Closes the kept-alive connections once the requests in flight end; call on shutdown. */
  close(): Promise<void>;
  /**
   * Ends every connection now: requests in flight fail. For shutdown, where
   * their answers are no longer wanted and waiting for them (each up to its
   * timeout) would only hold the shutdown up.
   */
  destroy(): Promise<void>;
}

const DEFAULTS = {
  timeoutMs: 5000,
  maxResponseBytes: 1024 * 1024,
  maxRedirects: 3,
  // Well under the 60 s that AWS load balancers' names live.
  dnsAnswerTtlMs: 10_000,
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
  'expect',
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

function blocked(message: string, remedy?: string): OutboundError {
  return new OutboundError('blocked', message, remedy);
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
  /** Vetted as the caller's trusted origin. */
  trusted: boolean;
}

/**
 * One timer for a whole request (DNS, every hop and the body). On expiry it
 * cancels whatever the request is waiting for at that moment. Cheaper than an
 * AbortController per request, whose signal wiring into every stream is most
 * of a small request's garbage.
 */
class Deadline {
  expired = false;
  private cancelCurrent?: () => void;
  private readonly timer: NodeJS.Timeout;

  constructor(ms: number) {
    this.timer = setTimeout(() => {
      this.expired = true;
      this.cancelCurrent?.();
    }, ms);
  }

  /** `cancel` stops what the request waits for now; it replaces the previous one. */
  watch(cancel: () => void): void {
    this.cancelCurrent = cancel;
  }

  clear(): void {
    clearTimeout(this.timer);
    this.cancelCurrent = undefined;
  }
}

function timedOut(): OutboundError {
  return new OutboundError('timeout', 'request timed out');
}

/** `promise`, or a timeout error once the deadline passes. */
function beforeDeadline<T>(
  promise: Promise<T>,
  deadline: Deadline,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (deadline.expired) {
      reject(timedOut());
      return;
    }
    deadline.watch(() => reject(timedOut()));
    promise.then(resolve, reject);
  });
}

/** One response, its body read whole. */
interface Exchange {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** The key of an origin's vetted address: what undici's connector is given. */
function pinKey(protocol: string, hostname: string, port: string): string {
  return `${protocol}//${hostname.replace(/^\[|\]$/g, '')}:${port}`;
}

/** At most this many origins keep a vetted address; the first pinned go first. */
const MAX_PINS = 10_000;
/** At most this many host names keep their addresses; the oldest go first. */
const MAX_CACHED_ANSWERS = 10_000;

type Resolver = (hostname: string) => Promise<LookupAddress[]>;

/**
 * Reuses a host name's addresses for `ttlMs`. Calls at once share one
 * lookup: a probe asks for three paths of an endpoint together, and every
 * `dns.lookup` takes a thread of libuv's small pool (and, in a pod with
 * `ndots: 5`, several queries to the cluster's DNS). A failed lookup is not
 * kept. What is reused is only the answer: every request still vets it.
 */
function cachedResolver(resolve: Resolver, ttlMs: number): Resolver {
  if (ttlMs <= 0) return resolve;
  const answers = new Map<
    string,
    { addresses: Promise<LookupAddress[]>; expiresAt: number }
  >();
  return hostname => {
    const now = performance.now();
    const cached = answers.get(hostname);
    if (cached && cached.expiresAt > now) return cached.addresses;
    const entry = { addresses: resolve(hostname), expiresAt: now + ttlMs };
    setNewest(answers, hostname, entry, MAX_CACHED_ANSWERS);
    entry.addresses.catch(() => {
      if (answers.get(hostname) === entry) answers.delete(hostname);
    });
    return entry.addresses;
  };
}

/**
 * An undici agent that only connects to addresses the guard vetted: each
 * request records its vetted address for its origin before it is
 * dispatched, and a new connection to that origin goes to that address
 * (with the origin's name for TLS), whatever the name resolves to by then.
 * Kept-alive connections are reused per origin, so a pooled connection only
 * ever reached an address vetted for that origin.
 */
class PinnedAgent {
  private readonly pins = new Map<string, string>();
  readonly agent: Agent;

  constructor(connectTimeoutMs: number) {
    const connect = buildConnector({ timeout: connectTimeoutMs });
    this.agent = new Agent({
      connect: (options, callback) => {
        const { protocol, hostname, port } = options;
        const address = this.pins.get(pinKey(protocol, hostname, port));
        if (!address) {
          callback(blocked(`no vetted address for ${options.host}`), null);
          return;
        }
        connect({ ...options, hostname: address }, callback);
      },
    });
  }

  pin(target: PinnedTarget): void {
    const { protocol, hostname, port } = target.url;
    const key = pinKey(protocol, hostname, port);
    if (this.pins.get(key) === target.address) return;
    if (this.pins.size >= MAX_PINS) {
      this.pins.delete(this.pins.keys().next().value!);
    }
    this.pins.set(key, target.address);
  }
}

/**
 * Sends one request over `dispatcher` and reads the whole response, at most
 * `maxBytes` of body, within the deadline. undici's dispatch API gives the
 * response as callbacks: no stream objects per request.
 */
function exchange(
  dispatcher: Dispatcher,
  options: Dispatcher.DispatchOptions,
  maxBytes: number,
  deadline: Deadline,
): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    if (deadline.expired) {
      reject(timedOut());
      return;
    }
    let controller: Dispatcher.DispatchController | undefined;
    let settled = false;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      reject(error);
      controller?.abort(error);
    };
    deadline.watch(() => fail(timedOut()));
    let status = 0;
    let headers: IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    let size = 0;
    dispatcher.dispatch(options, {
      onRequestStart(started) {
        controller = started;
        if (settled) started.abort(timedOut());
      },
      onResponseStart(_controller, statusCode, responseHeaders) {
        status = statusCode;
        headers = responseHeaders;
        const declared = Number(responseHeaders['content-length']);
        if (Number.isFinite(declared) && declared > maxBytes) {
          fail(tooLarge(maxBytes));
        }
      },
      onResponseData(_controller, chunk) {
        size += chunk.length;
        if (size > maxBytes) fail(tooLarge(maxBytes));
        else chunks.push(chunk);
      },
      onResponseEnd() {
        if (settled) return;
        settled = true;
        const body =
          chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
        resolve({ status, headers, body });
      },
      onResponseError(_controller, error) {
        fail(error);
      },
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
  // address policy) before it is dispatched, and a pooled connection only
  // ever reached an address vetted for its origin. The trusted origin has an
  // agent of its own, so no other request rides a connection that was vetted
  // under its laxer policy.
  const agents = {
    guarded: new PinnedAgent(timeoutMs),
    trusted: new PinnedAgent(timeoutMs),
  };
  const resolveHost = cachedResolver(
    options.resolve ??
      ((hostname: string) =>
        dnsLookup(hostname, { all: true, verbatim: true })),
    options.dnsAnswerTtlMs ?? DEFAULTS.dnsAnswerTtlMs,
  );

  async function resolveAll(
    host: string,
    deadline: Deadline,
  ): Promise<LookupAddress[]> {
    try {
      return await beforeDeadline(resolveHost(host), deadline);
    } catch (error) {
      if (deadline.expired) throw error;
      throw new OutboundError(
        'dns',
        `cannot resolve ${host}: ${(error as Error).message}`,
      );
    }
  }

  function pin(
    url: URL,
    host: string,
    addresses: LookupAddress[],
    trusted: boolean,
  ): PinnedTarget {
    if (addresses.length === 0) {
      throw new OutboundError('dns', `${host} has no addresses`);
    }
    for (const { address } of addresses) {
      const refusal = addressRefusal(address, allowPrivateNetworks || trusted);
      if (refusal) {
        throw blocked(`${host} refused: ${refusal.reason}`, refusal.remedy);
      }
    }
    const { address, family } = addresses[0];
    return { url, address, family, trusted };
  }

  /**
   * The address a request to `url` may connect to: allowlist, DNS and the
   * address policy. An IP literal needs no lookup, so it is vetted at once.
   */
  function vet(
    url: URL,
    deadline: Deadline,
    trustedOrigin: string | undefined,
  ): PinnedTarget | Promise<PinnedTarget> {
    const host = normalizeHost(url.hostname);
    const trusted = trustedOrigin !== undefined && url.origin === trustedOrigin;
    if (!trusted && !isHostAllowed(host, allowedHosts)) {
      throw blocked(
        `host ${host} is not in the allowlist`,
        `add ${host} to mlops.outbound.allowedHosts`,
      );
    }
    const family = isIP(host);
    if (family !== 0)
      return pin(url, host, [{ address: host, family }], trusted);
    return resolveAll(host, deadline).then(addresses =>
      pin(url, host, addresses, trusted),
    );
  }

  function send(
    target: PinnedTarget,
    method: 'GET' | 'POST',
    headers: Record<string, string>,
    body: Buffer | undefined,
    deadline: Deadline,
  ): Promise<Exchange> {
    const pinned = target.trusted ? agents.trusted : agents.guarded;
    pinned.pin(target);
    const { url } = target;
    return exchange(
      pinned.agent,
      {
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method,
        headers,
        body,
      },
      maxResponseBytes,
      deadline,
    );
  }

  async function follow(
    request: OutboundRequest,
    deadline: Deadline,
  ): Promise<{ url: URL; response: Exchange }> {
    let url = parseTarget(request.url);
    let method = request.method ?? 'GET';
    let headers = sanitizeHeaders(request.headers);
    let body =
      request.body === undefined ? undefined : Buffer.from(request.body);
    const { trustedOrigin, bearerToken } = request;
    for (let hop = 0; ; hop++) {
      const target = await vet(url, deadline, trustedOrigin);
      // Each hop gets its own copy: credentials and Host belong to one origin.
      const hopHeaders = { ...headers };
      if (bearerToken && trustedOrigin && url.origin === trustedOrigin) {
        hopHeaders.authorization = `Bearer ${bearerToken}`;
      }
      const response = await send(target, method, hopHeaders, body, deadline);
      const location = response.headers.location;
      if (
        !REDIRECT_STATUSES.has(response.status) ||
        typeof location !== 'string'
      ) {
        return { url, response };
      }
      if (hop >= maxRedirects) {
        throw blocked(`more than ${maxRedirects} redirects`);
      }
      const next = parseTarget(location, url);
      if (becomesGet(response.status, method)) {
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
      const deadline = new Deadline(request.timeoutMs ?? timeoutMs);
      try {
        const { url, response } = await follow(request, deadline);
        return {
          ...response,
          url: url.href,
          latencyMs: Math.round(performance.now() - started),
        };
      } catch (error) {
        throw classifyNetworkError(error, deadline.expired);
      } finally {
        deadline.clear();
      }
    },
    // Graceful: requests in flight end first (each within its timeout),
    // instead of failing with "the client is destroyed".
    async close() {
      await Promise.all([
        agents.guarded.agent.close(),
        agents.trusted.agent.close(),
      ]);
    },
    async destroy() {
      await Promise.all([
        agents.guarded.agent.destroy(),
        agents.trusted.agent.destroy(),
      ]);
    },
  };
}
