import { WarningPanel } from '@backstage/core-components';

/** The error's message, with its cause's (a ResponseError keeps the backend's message there). */
function messageOf(error: Error): string {
  const cause = (error as { cause?: { message?: unknown } }).cause;
  return typeof cause?.message === 'string' && cause.message !== error.message
    ? `${error.message}: ${cause.message}`
    : error.message;
}

/** The latest refresh failed while the last answer is still shown below. */
export function HealthRefreshError(props: { error: Error }) {
  return (
    <WarningPanel
      severity="warning"
      title="Showing the last answer: the latest refresh failed"
      message={messageOf(props.error)}
      defaultExpanded
    />
  );
}
