import type { LocalDemoOptions } from '@internal/local-demo';

type BeforeRolloutCompletes = NonNullable<
  LocalDemoOptions['beforeRolloutCompletes']
>;

/**
 * Holds the local runner's first rollout of one repository before it
 * completes, until released: the page can then be seen showing it in
 * progress. Other repositories' rollouts go on.
 */
export class RolloutHold {
  /** Resolves once the repository's rollout is held. */
  readonly reached: Promise<void>;
  private reach!: () => void;
  private readonly released: Promise<void>;
  private resolveReleased!: () => void;
  private heldAt?: number;
  private releasedAt?: number;

  constructor(private readonly repositoryName: string) {
    this.reached = new Promise(resolve => (this.reach = resolve));
    this.released = new Promise(resolve => (this.resolveReleased = resolve));
  }

  readonly beforeRolloutCompletes: BeforeRolloutCompletes = async ({
    repository,
  }) => {
    if (!repository.endsWith(`/${this.repositoryName}`)) return;
    this.heldAt = Date.now();
    this.reach();
    await this.released;
  };

  release(): void {
    this.releasedAt ??= Date.now();
    this.resolveReleased();
  }

  /** How long the rollout was held (0 before it was). */
  get heldMs(): number {
    if (this.heldAt === undefined) return 0;
    return (this.releasedAt ?? Date.now()) - this.heldAt;
  }
}
