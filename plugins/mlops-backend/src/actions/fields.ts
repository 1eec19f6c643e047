import { TemplateAction } from '@backstage/plugin-scaffolder-node';
import { z } from 'zod/v3';

/** One action input or output: a title and description for the UI, and its zod type. */
export interface FieldSpec {
  title: string;
  description: string;
  type: (zod: typeof z) => z.ZodTypeAny;
}

/** The values of a field map as an action handler receives them: the zod-inferred types. */
export type FieldValues<T extends Record<string, FieldSpec>> = {
  [K in keyof T]: z.infer<ReturnType<T[K]['type']>>;
};

/** Turns field specs into the `(z) => schema` map `createTemplateAction` takes. */
export function zodFields<T extends Record<string, FieldSpec>>(
  specs: T,
): { [K in keyof T]: (zod: typeof z) => ReturnType<T[K]['type']> } {
  return Object.fromEntries(
    Object.entries(specs).map(([key, spec]) => [
      key,
      (zod: typeof z) => spec.type(zod).describe(spec.description),
    ]),
  ) as any;
}

/**
 * zod 3 has no notion of a title, so titles are added to the JSON schema that
 * `createTemplateAction` derived, where the scaffolder UI reads them.
 */
export function withTitles<A extends TemplateAction<any, any, any>>(
  action: A,
  inputs: Record<string, FieldSpec>,
  outputs: Record<string, FieldSpec>,
): A {
  addTitles(action.schema?.input, inputs);
  addTitles(action.schema?.output, outputs);
  return action;
}

function addTitles(schema: unknown, specs: Record<string, FieldSpec>) {
  const properties = (
    schema as { properties?: Record<string, { title?: string }> } | undefined
  )?.properties;
  for (const [key, spec] of Object.entries(specs)) {
    if (properties?.[key]) {
      properties[key].title = spec.title;
    }
  }
}

/** The outputs every ensure action shares: what a run changed, and what a dry run would. */
export const ENSURE_OUTCOME_OUTPUTS: {
  changes: FieldSpec & { type: (zod: typeof z) => z.ZodArray<z.ZodString> };
  plan: FieldSpec & {
    type: (zod: typeof z) => z.ZodOptional<z.ZodArray<z.ZodString>>;
  };
} = {
  changes: {
    title: 'Changes',
    description:
      'What this run created or converged; empty when nothing changed or in a dry run.',
    type: zod => zod.array(zod.string()),
  },
  plan: {
    title: 'Plan',
    description:
      'Dry run only: what a real run would do ("would create", "exists", "would converge …" or "unknown").',
    type: zod => zod.array(zod.string()).optional(),
  },
};
