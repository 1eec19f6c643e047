import { ModelMetadata } from '@eks-mlops/backstage-plugin-mlops-common';
import { examplePredictBody } from './examplePredictBody';

const churn: ModelMetadata = {
  name: 'churn-model',
  inputs: [{ name: 'input-0', datatype: 'FP64', shape: [-1, 30] }],
};

describe('examplePredictBody', () => {
  it('builds a V2 infer body with one row of zeros per input', () => {
    expect(examplePredictBody('v2', churn)).toEqual({
      inputs: [
        {
          name: 'input-0',
          shape: [1, 30],
          datatype: 'FP64',
          data: new Array(30).fill(0),
        },
      ],
    });
  });

  it('builds a V1 predict body with one instance', () => {
    expect(examplePredictBody('v1', churn)).toEqual({
      instances: [new Array(30).fill(0)],
    });
  });

  it('nests V1 instances of multi-dimensional inputs', () => {
    expect(
      examplePredictBody('v1', {
        name: 'm',
        inputs: [{ name: 'x', datatype: 'BOOL', shape: [-1, 2, 3] }],
      }),
    ).toEqual({
      instances: [
        [
          [false, false, false],
          [false, false, false],
        ],
      ],
    });
  });

  it('falls back to one numeric feature without metadata', () => {
    expect(examplePredictBody('v2')).toEqual({
      inputs: [{ name: 'input-0', shape: [1, 1], datatype: 'FP64', data: [0] }],
    });
  });

  it('leaves very large inputs empty', () => {
    const body = examplePredictBody('v2', {
      name: 'vision',
      inputs: [{ name: 'image', datatype: 'UINT8', shape: [-1, 224, 224, 3] }],
    }) as { inputs: Array<{ data: unknown[]; shape: number[] }> };
    expect(body.inputs[0].shape).toEqual([1, 224, 224, 3]);
    expect(body.inputs[0].data).toEqual([]);
  });
});
