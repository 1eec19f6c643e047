import { screen } from '@testing-library/react';
import { permissionApiRef } from '@backstage/plugin-permission-react';
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

  it('shows a failed permission check instead of asking for the permission', async () => {
    const failingPermissionApi = {
      authorize: jest
        .fn()
        .mockRejectedValue(new Error('permission backend down')),
      authorizeConditional: jest.fn(),
    };
    await renderWithMlops(
      <RequirePredictPermission
        entity={mlServiceEntity(undefined, 'unchecked-model')}
      >
        <button type="button">Send</button>
      </RequirePredictPermission>,
      { apis: [[permissionApiRef, failingPermissionApi]] },
    );
    expect(
      await screen.findByText(
        /Could not check whether you may send test predictions/,
      ),
    ).toBeInTheDocument();
    expect(screen.getAllByText(/permission backend down/)).not.toHaveLength(0);
    expect(screen.queryByRole('status')).not.toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Send' }),
    ).not.toBeInTheDocument();
  });
});
