import { screen } from '@testing-library/react';
import { textContentMatcher } from '@backstage/test-utils';
import { backstageError, emptyNotFoundError } from '../../__testUtils__/fakes';
import { renderWithMlops } from '../../__testUtils__/renderWithMlops';
import { HealthError } from './HealthError';

const NOT_PICKED_UP = /Not known to the mlops backend yet/;
const NO_BACKEND = /The mlops backend plugin does not answer at \/api\/mlops/;

describe('HealthError', () => {
  it('says the entity is not picked up yet when the backend does not know it', async () => {
    const error = await backstageError(404, 'NotFoundError', 'no entity');
    await renderWithMlops(<HealthError error={error} />);
    expect(screen.getByText(NOT_PICKED_UP)).toBeInTheDocument();
    expect(screen.queryByText(NO_BACKEND)).not.toBeInTheDocument();
  });

  it('says how to install the backend plugin when nothing answers at /api/mlops', async () => {
    await renderWithMlops(<HealthError error={await emptyNotFoundError()} />);
    expect(screen.getByText(NO_BACKEND)).toBeInTheDocument();
    expect(
      screen.getByText(
        textContentMatcher(
          "backend.add(import('@eks-mlops/backstage-plugin-mlops-backend'));",
        ),
      ),
    ).toBeInTheDocument();
    expect(screen.queryByText(NOT_PICKED_UP)).not.toBeInTheDocument();
  });

  it('shows other errors as they are', async () => {
    const error = await backstageError(503, 'ServiceUnavailableError', 'down');
    await renderWithMlops(<HealthError error={error} />);
    expect(screen.getAllByText(/Request failed with 503/)).not.toHaveLength(0);
    expect(screen.queryByText(NO_BACKEND)).not.toBeInTheDocument();
  });
});
