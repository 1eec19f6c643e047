import { InputError } from '@backstage/errors';
import { runAction } from '../__testUtils__/actionHarness';
import { createMlServiceValidateAction } from './mlServiceValidate';

const VALID = {
  awsAccountId: '123456789012',
  replicasMin: 2,
  replicasMax: 6,
  memoryRequest: '512Mi',
  memoryLimit: '1Gi',
};

describe('mlops:ml-service:validate', () => {
  const action = createMlServiceValidateAction();

  it.each([false, true])(
    'accepts values that agree (dry run: %s)',
    async dryRun => {
      await expect(runAction(action, VALID, { dryRun })).resolves.toEqual({});
    },
  );

  it('accepts a task that left the optional values out', async () => {
    await expect(
      runAction(action, { awsAccountId: '123456789012' }),
    ).resolves.toEqual({});
  });

  it.each([false, true])(
    'fails with an input error naming every field and its fix (dry run: %s)',
    async dryRun => {
      const run = runAction(
        action,
        { ...VALID, replicasMin: 5, replicasMax: 2, memoryLimit: '256Mi' },
        { dryRun },
      );
      await expect(run).rejects.toThrow(InputError);
      await expect(run).rejects.toThrow(
        [
          'Invalid values, nothing was created:',
          '  - replicasMax must be at least replicasMin (2 < 5): raise replicasMax or lower replicasMin',
          '  - memoryLimit must be at least memoryRequest ("256Mi" < "512Mi"): raise memoryLimit or lower memoryRequest',
        ].join('\n'),
      );
    },
  );

  it("refuses existing roles outside the service's account", async () => {
    await expect(
      runAction(action, {
        ...VALID,
        ciRoles: 'existing',
        existingPlanRoleArn: 'arn:aws:iam::123456789012:role/plan',
        existingTerraformRoleArns: {
          dev: 'arn:aws:iam::123456789012:role/dev-terraform',
          prod: 'arn:aws:iam::999999999999:role/prod-terraform',
        },
      }),
    ).rejects.toThrow(
      "existingTerraformRoleArns.prod must be a role in the service's account 123456789012, not 999999999999",
    );
  });
});
