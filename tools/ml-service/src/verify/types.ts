/** One check of a generated repository. */
export interface Check {
  name: string;
  /** Throws with a readable reason when the check fails. */
  run(): Promise<void>;
}

/** A reason to skip a check, reported loudly instead of passing silently. */
export class SkipCheck extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'SkipCheck';
  }
}

export interface CheckResult {
  name: string;
  status: 'pass' | 'fail' | 'skip';
  ms: number;
  detail?: string;
}
