import { firstRolloutOf as rollout } from '../__testUtils__/fakes';
import { firstRolloutStage } from './environmentDeployment';

const LAST_PROBE = '2026-12-07T10:22:00.000Z';

describe('firstRolloutStage', () => {
  it('is progressing while no replica is available and the rollout goes on', () => {
    expect(firstRolloutStage(rollout({}), LAST_PROBE)).toBe('progressing');
    expect(
      firstRolloutStage(rollout({ state: 'stalled' }), LAST_PROBE),
    ).toBeUndefined();
  });

  it('waits for the next probe once a replica became ready after the last one', () => {
    const ready = (readySince: string) =>
      rollout({
        availableReplicas: 1,
        readyReplicas: 1,
        readySince: new Date(readySince),
      });
    expect(firstRolloutStage(ready('2026-12-07T10:22:01Z'), LAST_PROBE)).toBe(
      'ready-after-probe',
    );
    // Compared as instants, not as text: "10:22:00Z" is not after "10:22:00.000Z".
    expect(
      firstRolloutStage(ready('2026-12-07T10:22:00Z'), LAST_PROBE),
    ).toBeUndefined();
    expect(
      firstRolloutStage(ready('2026-12-07T09:00:00Z'), LAST_PROBE),
    ).toBeUndefined();
    expect(
      firstRolloutStage(rollout({ availableReplicas: 1 }), LAST_PROBE),
    ).toBeUndefined();
  });
});
