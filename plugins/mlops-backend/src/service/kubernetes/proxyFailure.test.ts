import { failureStatus } from '@internal/kubernetes-test-double';
import { proxyFailureOf } from './proxyFailure';

const PROXY_ORIGIN = 'http://backstage.internal:7007';
const PROXY_URL = `${PROXY_ORIGIN}/api/kubernetes/proxy/api/v1/namespaces/ml/services/churn:http/proxy/v2/health/ready`;

function answer(status: number, body: unknown, url = PROXY_URL) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return { status, body: Buffer.from(text), url };
}

describe('proxyFailureOf', () => {
  it.each([
    [
      403,
      'Forbidden',
      'services "churn:http" is forbidden: User "backstage" cannot get resource "services/proxy" in API group "" in the namespace "ml"',
      false,
      /needs get and create on services\/proxy/,
    ],
    [
      401,
      'Unauthorized',
      'Unauthorized',
      false,
      /access entry for Backstage's IAM role/,
    ],
    [404, 'NotFound', 'services "churn" not found', false, /not deployed yet/],
    [
      503,
      'ServiceUnavailable',
      'no endpoints available for service "churn:http"',
      true,
      /no ready pod behind the Service answered/,
    ],
    [
      500,
      'InternalError',
      'etcdserver: request timed out',
      false,
      /timed out$/,
    ],
  ])(
    'reads an API server Status %i as the proxy answering, with what to check',
    (code, reason, message, modelUnreachable, hint) => {
      const failure = proxyFailureOf(
        answer(code, failureStatus(code, message)),
        PROXY_ORIGIN,
      );
      expect(failure?.modelUnreachable).toBe(modelUnreachable);
      expect(failure?.message).toContain(
        `the Kubernetes API server answered ${code} ${reason}: ${message}`,
      );
      expect(failure?.message).toMatch(hint);
    },
  );

  it("reads a Backstage error body as the Kubernetes plugin's answer", () => {
    const failure = proxyFailureOf(
      answer(500, {
        error: {
          name: 'ForwardedError',
          message:
            "Cluster 'demo' request error; caused by Error: connect ECONNREFUSED 10.0.0.1:443",
        },
        response: { statusCode: 500 },
      }),
      PROXY_ORIGIN,
    );
    expect(failure).toEqual({
      modelUnreachable: false,
      message:
        "the Kubernetes plugin answered 500: ForwardedError: Cluster 'demo' request error; caused by Error: connect ECONNREFUSED 10.0.0.1:443",
    });
  });

  it.each([
    ['a success', answer(200, failureStatus(200, 'y'))],
    ["the model's own error", answer(503, { error: 'model m is not ready' })],
    ['a body that is not JSON', answer(502, '<html>bad gateway</html>')],
    ['an empty body', answer(503, '')],
    [
      'a Status from another origin (a redirect the model gave)',
      answer(
        403,
        failureStatus(403, 'x'),
        'http://elsewhere.example/v2/health/ready',
      ),
    ],
  ])("takes %s as the model's answer", (_name, response) => {
    expect(proxyFailureOf(response, PROXY_ORIGIN)).toBeUndefined();
  });
});
