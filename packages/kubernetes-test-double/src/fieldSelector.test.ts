import { matchesFieldSelector, parseFieldSelector } from './fieldSelector';
import { SelectorSyntaxError } from './labelSelector';

const event = {
  metadata: { name: 'churn-model-abc.1', namespace: 'ml-services' },
  involvedObject: { kind: 'Pod', name: 'churn-model-abc' },
  type: 'Warning',
};

describe('field selectors', () => {
  it('matches the selector the Kubernetes frontend sends for events', () => {
    expect(
      matchesFieldSelector(
        event,
        parseFieldSelector('involvedObject.name=churn-model-abc'),
      ),
    ).toBe(true);
    expect(
      matchesFieldSelector(
        event,
        parseFieldSelector('involvedObject.name=other'),
      ),
    ).toBe(false);
  });

  it('supports ==, != and comma-joined requirements', () => {
    expect(
      matchesFieldSelector(
        event,
        parseFieldSelector('type==Warning,involvedObject.kind!=Node'),
      ),
    ).toBe(true);
    expect(
      matchesFieldSelector(event, parseFieldSelector('type!=Warning')),
    ).toBe(false);
  });

  it('treats a missing field as empty', () => {
    expect(matchesFieldSelector(event, parseFieldSelector('reason='))).toBe(
      true,
    );
    expect(
      matchesFieldSelector(event, parseFieldSelector('reason!=BackOff')),
    ).toBe(true);
  });

  it('rejects a requirement without an operator', () => {
    expect(() => parseFieldSelector('involvedObject.name')).toThrow(
      SelectorSyntaxError,
    );
  });
});
