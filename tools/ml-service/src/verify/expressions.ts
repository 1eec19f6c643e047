/*
 * Just enough of GitHub Actions expressions for the first-push check: which
 * `vars`/`secrets` an expression reads, and the alternatives of an `a || b`.
 * GitHub's own parser (@actions/expressions) ships as ESM with only an
 * `import` export condition, which neither this tool's require hook nor Jest
 * can load; this tokenizer covers the grammar's literals, names and operators.
 */

export type Token =
  | { kind: 'string'; value: string }
  | { kind: 'name'; value: string }
  | { kind: 'other'; value: string };

const NAME = /^[A-Za-z_][A-Za-z0-9_-]*/;
const NUMBER = /^[0-9][0-9A-Za-z.+-]*/;
const OPERATOR = /^(\|\||&&|==|!=|<=|>=|[.[\]()!<>,*])/;

/** Splits an expression into tokens; a string literal is one token ('' is a quote inside it). */
export function tokenize(expression: string): Token[] {
  const tokens: Token[] = [];
  let rest = expression;
  while (rest.length > 0) {
    const space = /^\s+/.exec(rest);
    if (space) {
      rest = rest.slice(space[0].length);
      continue;
    }
    if (rest[0] === "'") {
      const literal = /^'((?:[^']|'')*)'/.exec(rest);
      if (!literal) {
        throw new Error(`unterminated string in expression: ${expression}`);
      }
      tokens.push({ kind: 'string', value: literal[1].replace(/''/g, "'") });
      rest = rest.slice(literal[0].length);
      continue;
    }
    const name = NAME.exec(rest);
    const other = name ? null : NUMBER.exec(rest) ?? OPERATOR.exec(rest);
    if (name) {
      tokens.push({ kind: 'name', value: name[0] });
      rest = rest.slice(name[0].length);
    } else if (other) {
      tokens.push({ kind: 'other', value: other[0] });
      rest = rest.slice(other[0].length);
    } else {
      throw new Error(`unexpected "${rest[0]}" in expression: ${expression}`);
    }
  }
  return tokens;
}

/** The `${{ … }}` expressions embedded in a workflow string. */
export function embeddedExpressions(text: string): string[] {
  return [...text.matchAll(/\$\{\{([\s\S]*?)\}\}/g)].map(m => m[1].trim());
}

export type ContextName = 'vars' | 'secrets';

/** A read of `vars.NAME` or `secrets['NAME']`; `name` is null when computed or the whole context is read. */
export interface ContextRead {
  context: ContextName;
  name: string | null;
}

/**
 * A property access `.x` or `['x']` at `index` (the token after the object):
 * the property name and the number of tokens it spans, or null when the
 * property is computed or there is none.
 */
function propertyAt(
  tokens: Token[],
  index: number,
): { name: string; length: number } | null {
  const [first, second, third] = tokens.slice(index, index + 3);
  if (first?.value === '.' && second?.kind === 'name') {
    return { name: second.value, length: 2 };
  }
  if (
    first?.value === '[' &&
    second?.kind === 'string' &&
    third?.value === ']'
  ) {
    return { name: second.value, length: 3 };
  }
  return null;
}

const isAccessor = (token: Token | undefined) =>
  token?.kind === 'other' && token.value === '.';

/** Every `vars` and `secrets` read of an expression. */
export function contextReads(expression: string): ContextRead[] {
  const tokens = tokenize(expression);
  return tokens.flatMap((token, index) => {
    if (
      token.kind !== 'name' ||
      (token.value !== 'vars' && token.value !== 'secrets') ||
      isAccessor(tokens[index - 1])
    ) {
      return [];
    }
    return [
      {
        context: token.value,
        name: propertyAt(tokens, index + 1)?.name ?? null,
      },
    ];
  });
}

/** One operand of an `a || b || …` that the first-push check can resolve. */
export type Operand =
  | { kind: 'context'; context: string; path: string[] }
  | { kind: 'literal'; value: string };

/** `vars.X`, `needs.job.outputs.y`, `'text'`; null for anything else. */
function operandOf(tokens: Token[]): Operand | null {
  if (tokens.length === 1 && tokens[0].kind === 'string') {
    return { kind: 'literal', value: tokens[0].value };
  }
  if (tokens[0]?.kind !== 'name') {
    return null;
  }
  const path: string[] = [];
  let index = 1;
  while (index < tokens.length) {
    const property = propertyAt(tokens, index);
    if (!property) {
      return null;
    }
    path.push(property.name);
    index += property.length;
  }
  return { kind: 'context', context: tokens[0].value, path };
}

/**
 * The operands of an expression that is a chain of `||` over context
 * properties and string literals (GitHub takes the first that is not empty),
 * or null when it is anything else.
 */
export function alternatives(expression: string): Operand[] | null {
  const groups: Token[][] = [[]];
  for (const token of tokenize(expression)) {
    if (token.kind === 'other' && token.value === '||') {
      groups.push([]);
    } else {
      groups[groups.length - 1].push(token);
    }
  }
  const operands = groups.map(operandOf);
  return operands.every((o): o is Operand => o !== null) ? operands : null;
}
