import { retryWhile } from './retryWhile';

/** A call that throws `error` on its first `failures` attempts, counting them. */
function failingCall(error: Error, failures = Infinity) {
  let attempts = 0;
  return {
    call: async () => {
      attempts += 1;
      if (attempts <= failures) throw error;
      return 'done';
    },
    attempts: () => attempts,
  };
}

describe('retryWhile', () => {
  const transient = new Error('not yet');
  const isTransient = (error: unknown) => error === transient;

  it('calls again after each delay while the failure is transient', async () => {
    const { call, attempts } = failingCall(transient, 2);
    await expect(retryWhile(isTransient, call, [1, 1, 1])).resolves.toBe(
      'done',
    );
    expect(attempts()).toBe(3);
  });

  it('throws the last failure once the delays are spent', async () => {
    const { call, attempts } = failingCall(transient);
    await expect(retryWhile(isTransient, call, [1, 1])).rejects.toBe(transient);
    expect(attempts()).toBe(3);
  });

  it('never retries any other failure', async () => {
    const refused = new Error('refused');
    const { call, attempts } = failingCall(refused);
    await expect(retryWhile(isTransient, call, [1, 1])).rejects.toBe(refused);
    expect(attempts()).toBe(1);
  });
});
