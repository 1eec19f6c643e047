import { CodeSnippet, WarningPanel } from '@backstage/core-components';
import Typography from '@material-ui/core/Typography';

export const MLOPS_BACKEND_PACKAGE =
  '@eks-mlops/backstage-plugin-mlops-backend';

const INSTALL_LINE = `backend.add(import('${MLOPS_BACKEND_PACKAGE}'));`;

/** Says how to install the mlops backend plugin when nothing answers at `/api/mlops`. */
export function MissingMlopsBackend() {
  return (
    <WarningPanel
      severity="error"
      title="The mlops backend plugin does not answer at /api/mlops"
      defaultExpanded
    >
      <Typography variant="body2" paragraph>
        Backstage answered 404 without an error from the mlops backend, so the
        backend plugin is most likely not installed. Add{' '}
        <code>{MLOPS_BACKEND_PACKAGE}</code> to the backend package
        (packages/backend) and this line to packages/backend/src/index.ts, then
        restart the backend:
      </Typography>
      <CodeSnippet
        language="typescript"
        text={INSTALL_LINE}
        showCopyCodeButton
      />
    </WarningPanel>
  );
}
