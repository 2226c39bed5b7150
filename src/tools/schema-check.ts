// Checks a tool's input against the JSON schema it declares in package.json, so that input a
// model got wrong comes back as one clear message naming the field, not as a failure deep in
// the service. Only the schema keywords our tools use are understood.
import { ConfigError } from '../core/errors';
import { l10n } from '../core/l10n';

export interface JsonSchema {
  type?: 'object' | 'string' | 'integer' | 'number' | 'boolean' | 'array';
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  items?: JsonSchema;
  maxItems?: number;
  description?: string;
}

function typeProblem(path: string, value: unknown, s: JsonSchema): string | undefined {
  switch (s.type) {
    case 'string':
      return typeof value === 'string' ? undefined : l10n.t('`{0}` must be a string', path);
    case 'boolean':
      return typeof value === 'boolean' ? undefined : l10n.t('`{0}` must be true or false', path);
    case 'integer':
      return Number.isInteger(value) ? undefined : l10n.t('`{0}` must be a whole number', path);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : l10n.t('`{0}` must be a number', path);
    case 'array':
      return Array.isArray(value) ? undefined : l10n.t('`{0}` must be an array', path);
    case 'object':
      return value && typeof value === 'object' && !Array.isArray(value) ? undefined : l10n.t('`{0}` must be an object', path);
    default:
      return undefined;
  }
}

/** Every way `value` breaks `schema`, one line each; empty when it fits. */
export function schemaProblems(value: unknown, schema: JsonSchema, path = 'input'): string[] {
  const wrongType = typeProblem(path, value, schema);
  if (wrongType) return [wrongType];
  const out: string[] = [];
  if (schema.enum && !schema.enum.includes(value)) out.push(l10n.t('`{0}` must be one of: {1}', path, schema.enum.map(String).join(', ')));
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) out.push(l10n.t('`{0}` must be at least {1}', path, schema.minimum));
    if (schema.maximum !== undefined && value > schema.maximum) out.push(l10n.t('`{0}` must be at most {1}', path, schema.maximum));
  }
  if (typeof value === 'string') {
    if (schema.minLength !== undefined && value.length < schema.minLength) out.push(l10n.t('`{0}` must not be empty', path));
    if (schema.maxLength !== undefined && value.length > schema.maxLength) out.push(l10n.t('`{0}` must be at most {1} characters', path, schema.maxLength));
  }
  if (Array.isArray(value)) {
    if (schema.maxItems !== undefined && value.length > schema.maxItems) out.push(l10n.t('`{0}` must have at most {1} items', path, schema.maxItems));
    if (schema.items) value.forEach((v, i) => out.push(...schemaProblems(v, schema.items!, `${path}[${i}]`)));
  }
  if (schema.type === 'object' && value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const props = schema.properties ?? {};
    for (const key of schema.required ?? []) if (obj[key] === undefined) out.push(l10n.t('`{0}` is required', key));
    for (const [key, v] of Object.entries(obj)) {
      if (v === undefined) continue;
      const sub = props[key];
      if (sub) out.push(...schemaProblems(v, sub, key));
      else if (schema.additionalProperties === false) out.push(l10n.t('`{0}` is not an input of this tool (it takes: {1})', key, Object.keys(props).join(', ')));
    }
  }
  return out;
}

/** Throws the message a model can act on when the input does not fit. */
export function checkInput(tool: string, value: unknown, schema: JsonSchema | undefined): void {
  if (!schema) return;
  const problems = schemaProblems(value ?? {}, schema);
  if (problems.length) {
    throw new ConfigError('badInput', l10n.t('The input of {0} does not match its schema: {1}.', tool, problems.join('; ')));
  }
}
