import { screen } from '@testing-library/react';
import { mlServiceEntity } from '../../__testUtils__/fakes';
import { renderWithMlops } from '../../__testUtils__/renderWithMlops';
import { RequirePredictPermission } from './RequirePredictPermission';

describe('RequirePredictPermission', () => {
  it('renders its children for users with the permission', async () => {
    await renderWithMlops(
      <RequirePredictPermission
        entity={mlServiceEntity(undefined, 'allowed-model')}
      >
        <button type="button">Send</button>
      </RequirePredictPermission>,
      { predictAllowed: true },
    );
    expect(
      await screen.findByRole('button', { name: 'Send' }),
    ).toBeInTheDocument();
  });

  it('names the missing permission instead of its children', async () => {
    await renderWithMlops(
      <RequirePredictPermission
        entity={mlServiceEntity(undefined, 'denied-model')}
      >
        <button type="button">Send</button>
      </RequirePredictPermission>,
      { predictAllowed: false },
    );
    expect(await screen.findByRole('status')).toHaveTextContent(
      "needs the 'mlops.entity.predict' permission",
    );
    expect(screen.queryByRole('button')).not.toBeInTheDocument();
  });
});
