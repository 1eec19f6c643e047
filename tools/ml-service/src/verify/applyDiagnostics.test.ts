import { motoTrouble, sdkRetries } from './applyDiagnostics';

const request = (line: string, status: number) =>
  `127.0.0.1 - - [03/Dec/2026 23:05:55] "${line} HTTP/1.1" ${status} -`;

describe('motoTrouble', () => {
  it('keeps server errors and tracebacks, not the requests that went well or were refused', () => {
    const log = [
      ' * Running on http://127.0.0.1:40000',
      request('HEAD /bucket/key', 404),
      request('POST /', 200),
      'Traceback (most recent call last):',
      '  File "moto/iam/models.py", line 2164, in create_role',
      'RuntimeError: dictionary changed size during iteration',
      request('POST /', 500),
      request('POST /', 409),
    ].join('\n');

    expect(motoTrouble(log)).toBe(
      [
        "moto's log, server errors and tracebacks:",
        'Traceback (most recent call last):',
        '  File "moto/iam/models.py", line 2164, in create_role',
        'RuntimeError: dictionary changed size during iteration',
        request('POST /', 500),
      ].join('\n'),
    );
  });

  it('says so when there is nothing to show', () => {
    expect(motoTrouble(`${request('POST /', 200)}\n`)).toBe(
      "moto's log has no server error and no traceback",
    );
  });

  it('keeps the last lines only', () => {
    const log = Array.from({ length: 10 }, (_, i) =>
      request(`GET /${i}`, 503),
    ).join('\n');
    const kept = motoTrouble(log, 3).split('\n').slice(1);
    expect(kept).toEqual([7, 8, 9].map(i => request(`GET /${i}`, 503)));
  });
});

describe('sdkRetries', () => {
  const sent = (time: string, method: string, attempt: number) =>
    [
      `2026-12-03T23:20:${time}Z [DEBUG] provider.terraform-provider-aws_v5.100.0_x5: HTTP Request Sent: rpc.method=${method} net.peer.port=39717`,
      `   http.request.header.amz_sdk_request="attempt=${attempt}; max=25" rpc.service=IAM`,
      '   http.request.body="Action=CreateRole"',
    ].join('\n');

  it('lists the calls sent more than once, with their attempt', () => {
    const log = [
      sent('48.094', 'CreateRole', 1),
      '2026-12-03T23:20:48.300Z [DEBUG] provider.terraform-provider-aws_v5.100.0_x5: request failed with unretryable error',
      sent('49.120', 'CreateRole', 2),
      sent('49.500', 'CreatePolicy', 1),
    ].join('\n');

    expect(sdkRetries(log)).toBe(
      "calls the provider's AWS SDK retried (1):\n2026-12-03T23:20:49.120Z IAM CreateRole, attempt 2",
    );
  });

  it('says so when every call went once', () => {
    expect(sdkRetries(sent('48.094', 'CreateRole', 1))).toBe(
      "the provider's AWS SDK sent every call once",
    );
  });
});
