import { mockApis } from '@backstage/test-utils';
import { ResponseError } from '@backstage/errors';
import { errorResponse, jsonResponse } from '../__testUtils__/fakes';
import fleet from '../__fixtures__/fleet.json';
import { MlopsClient } from './MlopsClient';

const entityRef = {
  kind: 'Component',
  namespace: 'default',
  name: 'churn-model',
};

function clientAnswering(response: Response) {
  const fetch = jest.fn(
    async (_input: RequestInfo | URL, _init?: RequestInit) => response,
  );
  const client = new MlopsClient({
    discoveryApi: mockApis.discovery({ baseUrl: 'http://backstage:7007' }),
    fetchApi: { fetch },
  });
  return { client, fetch };
}

describe('MlopsClient', () => {
  it('reads the fleet from the mlops backend', async () => {
    const { client, fetch } = clientAnswering(jsonResponse(200, fleet));
    await expect(client.getFleet()).resolves.toEqual(fleet);
    expect(fetch).toHaveBeenCalledWith(
      'http://backstage:7007/api/mlops/v1/fleet',
      undefined,
    );
  });

  it('addresses entity health by lower-case kind, namespace and name', async () => {
    const { client, fetch } = clientAnswering(
      jsonResponse(200, {
        entityRef: 'component:default/churn-model',
        endpoints: [],
      }),
    );
    await client.getEntityHealth({ ...entityRef, name: 'churn model' });
    expect(fetch.mock.calls[0][0]).toBe(
      'http://backstage:7007/api/mlops/v1/entities/component/default/churn%20model/health',
    );
  });

  it('posts predict requests as JSON', async () => {
    const answer = { status: 200, latencyMs: 12, body: { outputs: [] } };
    const { client, fetch } = clientAnswering(jsonResponse(200, answer));
    const request = { environment: 'staging', body: { instances: [[0, 1]] } };
    await expect(client.predict(entityRef, request)).resolves.toEqual(answer);
    const [url, init] = fetch.mock.calls[0];
    expect(url).toBe(
      'http://backstage:7007/api/mlops/v1/entities/component/default/churn-model/predict',
    );
    expect(init).toMatchObject({
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
    });
    expect(JSON.parse(String(init?.body))).toEqual(request);
  });

  it('turns error answers into ResponseErrors carrying the backend message', async () => {
    const { client } = clientAnswering(
      errorResponse(403, 'NotAllowedError', 'mlops.entity.predict denied'),
    );
    const error = await client
      .predict(entityRef, { body: {} })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect(error).toMatchObject({
      statusCode: 403,
      cause: expect.objectContaining({
        name: 'NotAllowedError',
        message: 'mlops.entity.predict denied',
      }),
    });
  });
});
