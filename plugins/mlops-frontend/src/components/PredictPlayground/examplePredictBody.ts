import {
  InferenceProtocol,
  ModelMetadata,
  TensorMetadata,
} from '@eks-mlops/backstage-plugin-mlops-common';

/** Used when the endpoint has not published metadata: one numeric feature. */
const UNKNOWN_INPUT: TensorMetadata = {
  name: 'input-0',
  datatype: 'FP64',
  shape: [-1, 1],
};

/**
 * Larger inputs (images, say) are left empty rather than filling the text
 * box with hundreds of thousands of zeros.
 */
const MAX_PREFILLED_VALUES = 4096;

type Scalar = number | boolean | string;
type Nested = Scalar | Nested[];

/**
 * A request body the model accepts, built from its metadata: one batch row of
 * zeros per input (variable dimensions become 1), in the endpoint's protocol.
 */
export function examplePredictBody(
  protocol: InferenceProtocol,
  metadata?: ModelMetadata,
): unknown {
  const inputs = metadata?.inputs?.length ? metadata.inputs : [UNKNOWN_INPUT];
  if (protocol === 'v1') {
    return { instances: [exampleInstance(inputs[0])] };
  }
  return { inputs: inputs.map(exampleTensor) };
}

function exampleTensor(tensor: TensorMetadata) {
  const shape = concreteShape(tensor.shape);
  const size = shape.reduce((product, dim) => product * dim, 1);
  return {
    name: tensor.name,
    shape,
    datatype: tensor.datatype,
    data:
      size > MAX_PREFILLED_VALUES
        ? []
        : new Array<Scalar>(size).fill(zeroOf(tensor.datatype)),
  };
}

/** A V1 instance is one batch row: the shape without its first dimension. */
function exampleInstance(tensor: TensorMetadata): Nested {
  const [, ...rowShape] = concreteShape(tensor.shape);
  const size = rowShape.reduce((product, dim) => product * dim, 1);
  if (size > MAX_PREFILLED_VALUES) {
    return [];
  }
  return nested(rowShape, zeroOf(tensor.datatype));
}

function nested(shape: number[], value: Scalar): Nested {
  if (shape.length === 0) {
    return value;
  }
  const [dim, ...rest] = shape;
  return Array.from({ length: dim }, () => nested(rest, value));
}

function concreteShape(shape: number[]): number[] {
  return shape.map(dim => (dim < 0 ? 1 : dim));
}

function zeroOf(datatype: string): Scalar {
  switch (datatype.toUpperCase()) {
    case 'BOOL':
      return false;
    case 'BYTES':
      return '';
    default:
      return 0;
  }
}
