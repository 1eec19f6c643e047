import { alternatives, contextReads, embeddedExpressions } from './expressions';
import { matrixCombinations } from './workflowModel';

describe('GitHub expressions', () => {
  it('finds the embedded expressions of a string', () => {
    expect(
      embeddedExpressions('a ${{ vars.A }} b ${{secrets.B || github.token}}'),
    ).toEqual(['vars.A', 'secrets.B || github.token']);
  });

  it('reads vars and secrets by property and by index, not from strings or other contexts', () => {
    expect(
      contextReads(
        "vars.A == 'vars.NOT' && secrets['B-1'] || steps.x.outputs.vars || toJSON(secrets)",
      ),
    ).toEqual([
      { context: 'vars', name: 'A' },
      { context: 'secrets', name: 'B-1' },
      { context: 'secrets', name: null },
    ]);
  });

  it('takes quotes inside string literals', () => {
    expect(contextReads("format('it''s {0}', vars.NAME)")).toEqual([
      { context: 'vars', name: 'NAME' },
    ]);
  });

  it('splits a || chain into operands, and refuses anything else', () => {
    expect(
      alternatives("vars.A || needs.terraform-dev.outputs.arn || 'x'"),
    ).toEqual([
      { kind: 'context', context: 'vars', path: ['A'] },
      {
        kind: 'context',
        context: 'needs',
        path: ['terraform-dev', 'outputs', 'arn'],
      },
      { kind: 'literal', value: 'x' },
    ]);
    expect(alternatives("vars.A && 'x'")).toBeNull();
    expect(alternatives("format('{0}', vars.A)")).toBeNull();
  });
});

describe('matrix expansion', () => {
  it('crosses the dimensions, drops excludes and adds includes as GitHub does', () => {
    expect(
      matrixCombinations({
        env: ['dev', 'prod'],
        os: ['a', 'b'],
        exclude: [{ env: 'prod', os: 'b' }],
        include: [
          { env: 'dev', extra: 1 },
          { env: 'qa', os: 'a' },
        ],
      }),
    ).toEqual([
      { env: 'dev', os: 'a', extra: 1 },
      { env: 'dev', os: 'b', extra: 1 },
      { env: 'prod', os: 'a' },
      { env: 'qa', os: 'a' },
    ]);
    expect(matrixCombinations('${{ fromJSON(inputs.m) }}')).toBeNull();
    expect(matrixCombinations(undefined)).toEqual([{}]);
  });
});
