import { InfoCard } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import {
  InferenceProtocol,
  ModelMetadata,
  TensorMetadata,
} from '@eks-mlops/backstage-plugin-mlops-common';
import { Facts } from '../Facts';
import { formatShape, PLACEHOLDER } from '../format';

const PROTOCOL_NAMES: Record<InferenceProtocol, string> = {
  v2: 'Open Inference Protocol (V2)',
  v1: 'KServe V1',
};

export function ModelMetadataCard(props: {
  modelName: string;
  protocol: InferenceProtocol;
  metadata?: ModelMetadata;
}) {
  const { metadata } = props;
  return (
    <InfoCard title="Model">
      <Facts
        facts={[
          { label: 'Name', value: metadata?.name ?? props.modelName },
          {
            label: 'Versions',
            value: metadata?.versions?.join(', ') || PLACEHOLDER,
          },
          { label: 'Platform', value: metadata?.platform ?? PLACEHOLDER },
          { label: 'Protocol', value: PROTOCOL_NAMES[props.protocol] },
        ]}
      />
      {metadata ? (
        <>
          <TensorTable title="Inputs" tensors={metadata.inputs ?? []} />
          <TensorTable title="Outputs" tensors={metadata.outputs ?? []} />
        </>
      ) : (
        <Box mt={2}>
          <Typography variant="body2" color="textSecondary">
            The endpoint has not published model metadata (GET /v2/models/
            {props.modelName}) yet, so inputs and outputs are unknown.
          </Typography>
        </Box>
      )}
    </InfoCard>
  );
}

function TensorTable(props: { title: string; tensors: TensorMetadata[] }) {
  return (
    <Box mt={2}>
      <Typography variant="subtitle2" component="h3">
        {props.title}
      </Typography>
      {props.tensors.length === 0 ? (
        <Typography variant="body2" color="textSecondary">
          None declared.
        </Typography>
      ) : (
        <Table size="small" aria-label={`Model ${props.title.toLowerCase()}`}>
          <TableHead>
            <TableRow>
              <TableCell>Name</TableCell>
              <TableCell>Datatype</TableCell>
              <TableCell>Shape</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {props.tensors.map(tensor => (
              <TableRow key={tensor.name}>
                <TableCell>{tensor.name}</TableCell>
                <TableCell>{tensor.datatype}</TableCell>
                <TableCell>{formatShape(tensor.shape)}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </Box>
  );
}
