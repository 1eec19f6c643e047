import { retryWhile } from './retryWhile';

describe('retryWhile', () => {
  const transient = new Error('not yet');
  const isTransient = (error: unknown) => error === transient;

  it('calls again after each delay while the failure is transient', async () => {
    let attempts = 0;
    const result = await retryWhile(
      isTransient,
      async () => {
        attempts += 1;
        if (attempts < 3) throw transient;
        return 'done';
      },
      [1, 1, 1],
    );
    expect(result).toBe('done');
    expect(attempts).toBe(3);
  });

  it('throws the last failure once the delays are spent', async () => {
    let attempts = 0;
    await expect(
      retryWhile(
        isTransient,
        async () => {
          attempts += 1;
          throw transient;
        },
        [1, 1],
      ),
    ).rejects.toBe(transient);
    expect(attempts).toBe(3);
  });

  it('never retries any other failure', async () => {
    const other = new Error('refused');
    let attempts = 0;
    await expect(
      retryWhile(
        isTransient,
        async () => {
          attempts += 1;
          throw other;
        },
        [1, 1],
      ),
    ).rejects.toBe(other);
    expect(attempts).toBe(1);
  });
});
