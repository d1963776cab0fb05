// JSON Schema validation (ajv, compiled once) with errors mapped onto YAML nodes in plain language.
import Ajv from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { LineCounter } from 'yaml';
import type { Node } from 'yaml';
import deploymentSchema from '../../../schemas/deployment.schema.json';
import hardwareSchema from '../../../schemas/hardware.schema.json';
import modelSchema from '../../../schemas/model.schema.json';
import { closest } from '../catalog/index';
import type { Diagnostic, Range } from '../formats/types';
import { get, getPair, isSeq, rangeOf, toPlain } from '../yaml/yamlDoc';

export type SchemaName = 'deployment' | 'model' | 'hardware';

const SCHEMAS: Record<SchemaName, object> = { deployment: deploymentSchema, model: modelSchema, hardware: hardwareSchema };

let ajv: Ajv | null = null;
const compiled = new Map<SchemaName, ValidateFunction>();

function validator(name: SchemaName): ValidateFunction {
  if (!ajv) {
    ajv = new Ajv({ allErrors: true, strict: false, verbose: false });
    ajv.addSchema(modelSchema, 'model.schema.json');
    ajv.addSchema(hardwareSchema, 'hardware.schema.json');
  }
  let v = compiled.get(name);
  if (!v) {
    v = name === 'deployment' ? ajv.compile(deploymentSchema) : ajv.getSchema(`${name}.schema.json`)!;
    compiled.set(name, v);
  }
  return v;
}

export function schemaOf(name: SchemaName): Record<string, unknown> {
  return SCHEMAS[name] as Record<string, unknown>;
}

/** Validates plain data (catalog files, tests). */
export function validateData(name: SchemaName, data: unknown): ErrorObject[] {
  const v = validator(name);
  return v(data) ? [] : [...(v.errors ?? [])];
}

/** The schema node for a JSON pointer path, following properties, items and the model $ref. */
function schemaAt(root: Record<string, unknown>, segments: string[]): Record<string, unknown> | null {
  let s: Record<string, unknown> | null = root;
  for (const seg of segments) {
    if (!s) return null;
    const props = s.properties as Record<string, Record<string, unknown>> | undefined;
    if (props && props[seg]) s = props[seg];
    else if (s.items) s = s.items as Record<string, unknown>;
    else if (s.anyOf) {
      const obj: Record<string, unknown> | undefined = (s.anyOf as Record<string, unknown>[]).find((x) => x.$ref);
      s = obj ? (schemaOf(obj.$ref === 'hardware.schema.json' ? 'hardware' : 'model') as Record<string, unknown>) : null;
      if (s) s = ((s.properties as Record<string, Record<string, unknown>>)[seg] ?? null) as Record<string, unknown> | null;
    } else return null;
  }
  return s;
}

function nodeAt(root: Node, segments: string[]): Node | undefined {
  let n: Node | undefined = root;
  for (const seg of segments) {
    if (!n) return undefined;
    if (isSeq(n)) n = n.items[Number(seg)] as Node | undefined;
    else n = get(n, seg);
  }
  return n;
}

function keyRangeAt(lc: LineCounter, root: Node, segments: string[]): Range | null {
  if (!segments.length) return null;
  const parent = nodeAt(root, segments.slice(0, -1));
  const pair = getPair(parent, segments[segments.length - 1]);
  return rangeOf(lc, pair?.key as Node | undefined);
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (typeof v === 'string') return `"${v.length > 40 ? v.slice(0, 40) + '…' : v}"`;
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  // 1e309, .inf and .nan parse to numbers that are not finite; say what they are rather than print NaN or Infinity.
  if (typeof v === 'number' && !Number.isFinite(v))
    return Number.isNaN(v) ? 'not-a-number (.nan)' : v > 0 ? 'an infinite number' : 'a negative infinite number';
  return String(v);
}

function typeWord(t: unknown): string {
  const ts = (Array.isArray(t) ? t : [t]).filter((x) => x !== 'null');
  const words: Record<string, string> = {
    integer: 'a whole number',
    number: 'a number',
    string: 'text',
    boolean: 'true or false',
    object: 'a mapping',
    array: 'a list',
  };
  return ts.map((x) => words[String(x)] ?? String(x)).join(' or ');
}

/**
 * Validates a YAML node against a schema and returns positioned, plain-language diagnostics:
 * wrong values on the value node, unknown keys on the key (with did-you-mean), missing keys on the parent key.
 */
export function validateNode(name: SchemaName, root: Node, lc: LineCounter, docRange: Range): Diagnostic[] {
  const data = toPlain(root);
  const v = validator(name);
  if (v(data)) return [];
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  const rootSchema = schemaOf(name);
  // anyOf branches (model: string or object) produce noisy errors; keep the most specific.
  const errors = (v.errors ?? []).filter((e) => e.keyword !== 'anyOf' && e.keyword !== 'if');
  for (const e of errors) {
    const segs = e.instancePath
      .split('/')
      .slice(1)
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    const valueNode = nodeAt(root, segs);
    const valueRange = rangeOf(lc, valueNode) ?? docRange;
    const field = segs.join('.') || 'document';
    const schema = schemaAt(rootSchema, segs);
    let d: Diagnostic | null = null;
    switch (e.keyword) {
      case 'additionalProperties': {
        const key = String((e.params as { additionalProperty: string }).additionalProperty);
        const props = Object.keys((schema?.properties as object) ?? {});
        const near = closest(key, props, 1);
        const where = segs.length ? `"${field}"` : 'the plan';
        d = {
          code: 'schema-unknown-key',
          severity: 'warning',
          message: `Unknown key "${key}" in ${where}.${near.length ? ` Did you mean "${near[0]}"?` : ''}`,
          range: keyRangeAt(lc, root, [...segs, key]) ?? valueRange,
          data: near.length ? { key, suggestion: near[0] } : { key },
        };
        break;
      }
      case 'required': {
        const missing = String((e.params as { missingProperty: string }).missingProperty);
        d = {
          code: 'schema-missing-key',
          severity: 'error',
          message: `Missing required key "${missing}"${segs.length ? ` in "${field}"` : ''}.`,
          range: keyRangeAt(lc, root, segs) ?? docRange,
          data: { key: missing },
        };
        break;
      }
      case 'type':
        // When the value is a string where an object is allowed too (model), anyOf already explains.
        if (segs[0] === 'model' && segs.length > 1) break;
        // An object where text or an inline object is allowed (model, hardware.gpu): the object branch's errors say what is wrong.
        if (schema?.anyOf && (schema.anyOf as Record<string, unknown>[]).some((x) => x.$ref) && typeof toPlain(valueNode) === 'object') break;
        d = {
          code: 'schema-type',
          severity: 'error',
          message: `"${field}" must be ${typeWord((e.params as { type: unknown }).type)}, not ${describe(toPlain(valueNode))}.`,
          range: valueRange,
        };
        break;
      case 'enum': {
        const allowed = (e.params as { allowedValues: unknown[] }).allowedValues;
        const near = typeof toPlain(valueNode) === 'string' ? closest(String(toPlain(valueNode)), allowed.map(String), 1) : [];
        d = {
          code: 'schema-value',
          severity: 'error',
          message: `"${field}" must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}; got ${describe(toPlain(valueNode))}.${near.length ? ` Did you mean ${JSON.stringify(near[0])}?` : ''}`,
          range: valueRange,
          data: near.length ? { suggestion: near[0], allowed } : { allowed },
        };
        break;
      }
      case 'const':
        d = {
          code: 'schema-value',
          severity: 'error',
          message: `"${field}" must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}.`,
          range: valueRange,
        };
        break;
      case 'minimum':
      case 'maximum':
      case 'exclusiveMinimum':
      case 'exclusiveMaximum': {
        const p = e.params as { comparison: string; limit: number };
        const words: Record<string, string> = { '>=': 'at least', '<=': 'at most', '>': 'greater than', '<': 'less than' };
        d = {
          code: 'schema-range',
          severity: 'error',
          message: `"${field}" must be ${words[p.comparison] ?? p.comparison} ${p.limit}; got ${describe(toPlain(valueNode))}.`,
          range: valueRange,
        };
        break;
      }
      case 'minLength':
        d = { code: 'schema-value', severity: 'error', message: `"${field}" must not be empty.`, range: valueRange };
        break;
      default:
        d = { code: 'schema-value', severity: 'error', message: `"${field}" is not valid here (${e.message ?? e.keyword}).`, range: valueRange };
    }
    if (!d) continue;
    const k = `${d.code}:${d.message}`;
    if (!seen.has(k)) {
      seen.add(k);
      out.push(d);
    }
  }
  return out;
}

/** Documentation for a key from the schema (completion and hover). */
export function describeKey(name: SchemaName, segments: string[]): { description?: string; enum?: unknown[]; type?: unknown } | null {
  const s = schemaAt(schemaOf(name), segments);
  if (!s) return null;
  return { description: s.description as string | undefined, enum: s.enum as unknown[] | undefined, type: s.type };
}

export function schemaChildren(name: SchemaName, segments: string[]): string[] {
  const s = segments.length ? schemaAt(schemaOf(name), segments) : schemaOf(name);
  return Object.keys((s?.properties as object) ?? {});
}
