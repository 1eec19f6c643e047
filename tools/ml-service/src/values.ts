import fs from 'node:fs/promises';
import { validate } from 'jsonschema';
import yaml from 'yaml';
import { toValueProblem, ValueProblem } from './DryRunRenderer';

type Values = Record<string, unknown>;

function parameterPages(
  template: Record<string, any>,
): Array<Record<string, any>> {
  return [template.spec?.parameters ?? []].flat();
}

/**
 * A page's fields: its `properties`, and those of each `allOf` entry whose
 * `if` the values meet (e.g. computeMode, shown only for a new cluster).
 * Without values, every conditional field counts.
 */
function pageProperties(
  page: Record<string, any>,
  values?: Values,
): Record<string, Record<string, any>> {
  const conditional = [page.allOf ?? []]
    .flat()
    .filter(
      (entry: Record<string, any>) =>
        entry?.then?.properties &&
        (!values || !entry.if || validate(values, entry.if).valid),
    )
    .map((entry: Record<string, any>) => entry.then.properties);
  return Object.assign({}, page.properties ?? {}, ...conditional);
}

/** Reads a values file: a YAML map of template parameter names. */
export async function readValuesFile(file: string): Promise<Values> {
  const parsed = yaml.parse(await fs.readFile(file, 'utf8'));
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error(`${file}: expected a YAML map of template parameters`);
  }
  return parsed as Values;
}

/** The help text the form shows for a field (`environments[1]` → `environments`). */
export function fieldHelp(
  template: Record<string, any>,
  field: string,
): string | undefined {
  const name = field.split(/[.[]/)[0];
  for (const page of parameterPages(template)) {
    const description = pageProperties(page)[name]?.description;
    if (description) {
      return String(description).trim();
    }
  }
  return undefined;
}

/**
 * The values the template works with: each parameter's `default` where the
 * values leave it out, as the template's steps fall back to the same.
 */
export function effectiveValues(
  template: Record<string, any>,
  values: Values,
): Values {
  const result: Values = { ...values };
  const fillDefaults = (properties: Record<string, Record<string, any>>) => {
    for (const [name, schema] of Object.entries(properties)) {
      if (result[name] === undefined && schema.default !== undefined) {
        result[name] = schema.default;
      }
    }
  };
  for (const page of parameterPages(template)) {
    // The page's own defaults first: a conditional field's `if` may read them.
    fillDefaults(page.properties ?? {});
    fillDefaults(pageProperties(page, result));
  }
  return result;
}

/**
 * Every field the template's parameter pages reject, across all pages (the
 * scaffolder stops at the first invalid page), with the same JSON-schema
 * library the scaffolder uses.
 */
export function checkAgainstParameters(
  template: Record<string, any>,
  values: Values,
): ValueProblem[] {
  return parameterPages(template).flatMap(page =>
    validate(values, page).errors.map(toValueProblem),
  );
}
