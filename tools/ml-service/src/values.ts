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

function quantity(
  value: unknown,
  units: Record<string, number>,
): number | undefined {
  const match = /^([0-9.]+)([A-Za-z]*)$/.exec(String(value ?? ''));
  if (!match || !(match[2] in units)) {
    return undefined;
  }
  return Number(match[1]) * units[match[2]];
}

const CPU_UNITS = { '': 1000, m: 1 };
const MEMORY_UNITS = { Mi: 1, Gi: 1024 };

const ROLE_ACCOUNT = /^arn:[^:]+:iam::([0-9]{12}):role\//;

/**
 * The existing CI roles that Terraform runs with, by field: the plan role and
 * each environment's Terraform role. (The training role only reads data, which
 * may live in another account.)
 */
function terraformRoleFields(values: Values): Array<[string, unknown]> {
  const terraformRoles = values.existingTerraformRoleArns;
  return [
    ['existingPlanRoleArn', values.existingPlanRoleArn],
    ...Object.entries(
      terraformRoles && typeof terraformRoles === 'object'
        ? terraformRoles
        : {},
    ).map(([env, arn]): [string, unknown] => [
      `existingTerraformRoleArns.${env}`,
      arn,
    ]),
  ];
}

/**
 * Rules that span two fields, which a JSON schema cannot state; the
 * scaffolder form checks each field alone.
 */
export function checkValueRelations(values: Values): ValueProblem[] {
  const problems: ValueProblem[] = [];
  const atLeast = (
    high: string,
    low: string,
    read: (v: unknown) => number | undefined,
  ) => {
    const h = read(values[high]);
    const l = read(values[low]);
    if (h !== undefined && l !== undefined && h < l) {
      problems.push({
        field: high,
        message: `must be at least ${low} (${JSON.stringify(
          values[high],
        )} < ${JSON.stringify(values[low])})`,
      });
    }
  };
  atLeast('nodeMaxSize', 'nodeMinSize', Number);
  atLeast('replicasMax', 'replicasMin', Number);
  atLeast('cpuLimit', 'cpuRequest', v => quantity(v, CPU_UNITS));
  atLeast('memoryLimit', 'memoryRequest', v => quantity(v, MEMORY_UNITS));
  if (
    values.certificateArn &&
    values.endpointVisibility === 'public' &&
    !values.host
  ) {
    problems.push({
      field: 'host',
      message: 'is required when a certificate is set for a public endpoint',
    });
  }
  if (values.ciRoles === 'existing') {
    for (const [field, arn] of terraformRoleFields(values)) {
      const account = ROLE_ACCOUNT.exec(String(arn ?? ''))?.[1];
      if (account && account !== String(values.awsAccountId)) {
        problems.push({
          field,
          message: `must be a role in the service's account ${values.awsAccountId}, not ${account}: Terraform refuses any other account (allowed_account_ids)`,
        });
      }
    }
  }
  return problems;
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
