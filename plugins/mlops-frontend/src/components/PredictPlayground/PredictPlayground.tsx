import { FormEvent, useMemo, useState } from 'react';
import { Entity, getCompoundEntityRef } from '@backstage/catalog-model';
import {
  CodeSnippet,
  Progress,
  StatusOK,
  StatusWarning,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import TextField from '@material-ui/core/TextField';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import {
  EntityHealthResponse,
  getInferenceEndpoints,
  getInferenceProtocol,
  mlopsEntityPredictPermission,
  ModelMetadata,
  PredictRequest,
  PredictResponse,
} from '@eks-mlops/backstage-plugin-mlops-common';
import useAsyncFn from 'react-use/esm/useAsyncFn';
import { mlopsApiRef } from '../../api';
import {
  isMlopsBackendMissing,
  MissingMlopsBackend,
} from '../MissingMlopsBackend';
import { environmentLabel, formatLatency } from '../format';
import { examplePredictBody } from './examplePredictBody';

/**
 * Sends a test request to the model through the backend's predict proxy,
 * starting from a body built from the model's metadata.
 */
export function PredictPlayground(props: {
  entity: Entity;
  health?: EntityHealthResponse;
}) {
  const api = useApi(mlopsApiRef);
  const endpoints = getInferenceEndpoints(props.entity);
  const protocol = getInferenceProtocol(props.entity);
  const [environment, setEnvironment] = useState(endpoints[0]?.environment);
  const metadata = metadataFor(environment, props.health);
  const example = useMemo(
    () => JSON.stringify(examplePredictBody(protocol, metadata), null, 2),
    [protocol, metadata],
  );
  // Untouched, the body follows the example, which changes when metadata
  // arrives or the environment changes; once edited it is the user's.
  const [editedBody, setEditedBody] = useState<string>();
  const body = editedBody ?? example;
  const [invalidBody, setInvalidBody] = useState<string>();
  const [result, send] = useAsyncFn(
    (request: PredictRequest) =>
      api.predict(getCompoundEntityRef(props.entity), request),
    [api, props.entity],
  );

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const parsed = parseJson(body);
    setInvalidBody(parsed.error);
    if (parsed.error === undefined) {
      send({ environment, body: parsed.value });
    }
  };

  return (
    <>
      <form onSubmit={onSubmit} aria-label="Predict playground" noValidate>
        {endpoints.length > 1 && (
          <TextField
            id="mlops-predict-environment"
            select
            label="Environment"
            value={environment}
            onChange={event => setEnvironment(event.target.value)}
            SelectProps={{ native: true }}
            inputProps={{ 'aria-label': 'Environment' }}
            margin="normal"
          >
            {endpoints.map(endpoint => (
              <option key={endpoint.environment} value={endpoint.environment}>
                {environmentLabel(endpoint.environment)}
              </option>
            ))}
          </TextField>
        )}
        <TextField
          id="mlops-predict-body"
          label="Request body (JSON)"
          value={body}
          onChange={event => setEditedBody(event.target.value)}
          // A fixed number of rows renders a plain textarea. MUI v4's
          // auto-sizing one measures itself on window resize without checking
          // that it is still attached: while React keeps this tab hidden
          // behind the next tab's loading fallback, a resize threw
          // "Failed to execute 'getComputedStyle' on 'Window'". The rows go
          // to the input: TextField's own `rows` is deprecated in MUI 4.12
          // (pointing at `minRows`, which is the auto-sizing one).
          multiline
          InputProps={{ rows: 14 }}
          fullWidth
          variant="outlined"
          margin="normal"
          error={invalidBody !== undefined}
          helperText={
            invalidBody ??
            `${
              protocol === 'v1'
                ? 'KServe V1 predict'
                : 'Open Inference V2 infer'
            } body${metadata ? ', pre-filled from the model metadata' : ''}`
          }
          inputProps={{
            'aria-label': 'Request body (JSON)',
            spellCheck: false,
            style: { fontFamily: 'monospace', resize: 'vertical' },
          }}
        />
        <Box display="flex" style={{ gap: 8 }}>
          <Button
            type="submit"
            variant="contained"
            color="primary"
            disabled={result.loading}
            aria-label="Send prediction request"
          >
            Send
          </Button>
          <Button
            type="button"
            onClick={() => {
              setEditedBody(undefined);
              setInvalidBody(undefined);
            }}
            aria-label="Reset the request body to the example"
          >
            Reset
          </Button>
        </Box>
      </form>
      <Box mt={2}>
        {result.loading && <Progress />}
        {!result.loading && result.error && (
          <PredictError error={result.error} />
        )}
        {!result.loading && !result.error && result.value && (
          <PredictResult response={result.value} />
        )}
      </Box>
    </>
  );
}

function metadataFor(
  environment: string | undefined,
  health?: EntityHealthResponse,
): ModelMetadata | undefined {
  const endpoints = health?.endpoints ?? [];
  return (
    endpoints.find(endpoint => endpoint.environment === environment)?.model ??
    endpoints.find(endpoint => endpoint.model)?.model
  );
}

function parseJson(text: string): { value?: unknown; error?: string } {
  try {
    return { value: JSON.parse(text) };
  } catch (error) {
    return {
      error: `The request body is not valid JSON: ${(error as Error).message}`,
    };
  }
}

function PredictResult(props: { response: PredictResponse }) {
  const { status, latencyMs, body } = props.response;
  const summary = `The model answered HTTP ${status} in ${formatLatency(
    latencyMs,
  )}`;
  return (
    <div role="status" aria-label="Prediction result">
      {status >= 200 && status < 300 ? (
        <StatusOK>{summary}</StatusOK>
      ) : (
        <StatusWarning>{summary}</StatusWarning>
      )}
      <CodeSnippet
        language="json"
        text={JSON.stringify(body, null, 2) ?? String(body)}
        showCopyCodeButton
      />
    </div>
  );
}

const ERROR_TITLES: Record<number, string> = {
  400: 'The backend rejected the request',
  403: `Not allowed: you lack the '${mlopsEntityPredictPermission.name}' permission on this entity`,
  404: 'The mlops backend does not know this entity or environment',
  413: 'The request body is too large for the predict proxy',
  502: 'The model endpoint failed',
  504: 'The model endpoint did not answer in time',
};

function PredictError(props: { error: Error }) {
  if (isMlopsBackendMissing(props.error)) {
    return <MissingMlopsBackend />;
  }
  const statusCode = (props.error as { statusCode?: number }).statusCode;
  const cause = (props.error as { cause?: unknown }).cause;
  const detail = cause instanceof Error ? cause.message : props.error.message;
  return (
    <Alert severity="error">
      <AlertTitle>
        {ERROR_TITLES[statusCode ?? 0] ?? 'The prediction failed'}
      </AlertTitle>
      {detail}
    </Alert>
  );
}
