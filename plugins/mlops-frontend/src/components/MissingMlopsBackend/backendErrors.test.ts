import { backstageError, emptyNotFoundError } from '../../__testUtils__/fakes';
import {
  isMlopsBackendMissing,
  isUnknownToMlopsBackend,
} from './backendErrors';

describe('backend errors', () => {
  it('takes a 404 with a NotFoundError body for an entity the backend does not know', async () => {
    const error = await backstageError(404, 'NotFoundError', 'no entity');
    expect(isUnknownToMlopsBackend(error)).toBe(true);
    expect(isMlopsBackendMissing(error)).toBe(false);
  });

  it('takes an empty 404 for a missing backend plugin', async () => {
    const error = await emptyNotFoundError();
    expect(isUnknownToMlopsBackend(error)).toBe(false);
    expect(isMlopsBackendMissing(error)).toBe(true);
  });

  it('takes other errors for neither', async () => {
    const error = await backstageError(503, 'ServiceUnavailableError', 'down');
    expect(isUnknownToMlopsBackend(error)).toBe(false);
    expect(isMlopsBackendMissing(error)).toBe(false);
    expect(isMlopsBackendMissing(new Error('offline'))).toBe(false);
  });
});
