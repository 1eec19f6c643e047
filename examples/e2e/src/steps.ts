/** Runs named steps in order, printing one line each, and stops at the first failure. */
export class Steps {
  private passed = 0;
  private failed = 0;

  async run(name: string, fn: () => Promise<void>): Promise<void> {
    const started = Date.now();
    try {
      await fn();
      this.passed += 1;
      process.stdout.write(
        `  ok   ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`,
      );
    } catch (error) {
      this.failed += 1;
      process.stdout.write(`  FAIL ${name}\n`);
      throw error;
    }
  }

  summary(): string {
    return `${this.passed} passed, ${this.failed} failed`;
  }
}
