// The small subset of JSON Schema the API uses to describe its inputs, and the validator that
// enforces it. One description serves both the OpenAPI document and the checks, so the document
// cannot promise a parameter the code does not accept (or the other way round). Errors name the
// offending field with its path (`attachments[1].filename`).
import { parseDuration } from '../clock/clock.js';

export interface Schema {
  type?: 'string' | 'integer' | 'number' | 'boolean' | 'object' | 'array';
  description?: string;
  enum?: readonly (string | number | boolean)[];
  /** 'email', 'date-time', 'duration' (like 12h, 90s, 1h30m, or ms), 'byte' (base64) */
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  items?: Schema;
  maxItems?: number;
  minItems?: number;
  properties?: Record<string, Schema>;
  required?: readonly string[];
  additionalProperties?: boolean | Schema;
  /** one of these shapes (first match wins) */
  anyOf?: readonly Schema[];
  nullable?: boolean;
  default?: unknown;
  example?: unknown;
}

export class SchemaError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

const EMAIL = /^[^\s@<>()",;:\\[\]]+@[A-Za-z0-9.-]+\.[A-Za-z0-9-]+$/;

/** what parseDuration reads, so that a route reading a validated duration cannot fail on it */
function isDuration(value: string): boolean {
  try {
    parseDuration(value);
    return true;
  } catch {
    return false;
  }
}

// RFC 4648 §4 base64 with its padding; line breaks (as `base64` and MIME wrap it) are ignored.
// Buffer.from(text, 'base64') would skip any other character and cut at the first bad one. One
// character class and a length check, not a group repeated per quantum: V8 backtracks through
// such a group with a stack that overflows on a few MB (a 4 MB attachment was a 500).
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** strict base64 (the `byte` format); CR and LF between the characters are allowed */
export function isBase64(value: string): boolean {
  const compact = value.replace(/[\r\n]/g, '');
  return compact.length % 4 === 0 && BASE64.test(compact);
}

/** ISO 8601, or ms since the epoch as digits (a safe integer, as the store keeps times) */
function isDateTime(value: string): boolean {
  return /^\d+$/.test(value) ? Number.isSafeInteger(Number(value)) : !Number.isNaN(Date.parse(value));
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** Checks `value` against `schema`; throws SchemaError naming `field`. Returns the value with defaults applied. */
export function validate(schema: Schema, value: unknown, field: string): unknown {
  if (value === null && schema.nullable) return null;
  if (schema.anyOf) {
    let first: SchemaError | undefined;
    for (const option of schema.anyOf) {
      try {
        return validate(option, value, field);
      } catch (error) {
        if (!(error instanceof SchemaError)) throw error;
        first ??= error;
      }
    }
    throw first ?? new SchemaError(field, `${field} has an unexpected shape`);
  }
  switch (schema.type) {
    case 'string': {
      if (typeof value !== 'string') throw new SchemaError(field, `${field} must be a string, got ${typeName(value)}`);
      if (schema.minLength !== undefined && value.length < schema.minLength) {
        throw new SchemaError(field, schema.minLength === 1 ? `${field} must not be empty` : `${field} must be at least ${schema.minLength} characters`);
      }
      if (schema.maxLength !== undefined && value.length > schema.maxLength) throw new SchemaError(field, `${field} must be at most ${schema.maxLength} characters`);
      if (schema.format === 'email' && !EMAIL.test(value.trim())) throw new SchemaError(field, `${field} is not an e-mail address: ${JSON.stringify(value)}`);
      if (schema.format === 'duration' && !isDuration(value)) throw new SchemaError(field, `${field} is not a duration (use e.g. 90s, 12h, 1h30m, 2d, or milliseconds): ${JSON.stringify(value)}`);
      if (schema.format === 'date-time' && !isDateTime(value)) throw new SchemaError(field, `${field} is not a date-time (ISO 8601 or ms since the epoch, at most ${Number.MAX_SAFE_INTEGER}): ${JSON.stringify(value)}`);
      if (schema.format === 'byte' && !isBase64(value)) throw new SchemaError(field, `${field} is not base64 (RFC 4648, padded with =)`);
      if (schema.pattern !== undefined && !new RegExp(schema.pattern).test(value)) throw new SchemaError(field, `${field} does not match ${schema.pattern}: ${JSON.stringify(value)}`);
      break;
    }
    case 'integer':
    case 'number': {
      if (typeof value !== 'number') throw new SchemaError(field, `${field} must be a number, got ${typeName(value)}`);
      // JSON.parse reads 1e400 as Infinity
      if (!Number.isFinite(value)) throw new SchemaError(field, `${field} must be a finite number, got ${value}`);
      if (schema.type === 'integer' && !Number.isSafeInteger(value)) throw new SchemaError(field, `${field} must be an integer, got ${value}`);
      if (schema.minimum !== undefined && value < schema.minimum) throw new SchemaError(field, `${field} must be >= ${schema.minimum}, got ${value}`);
      if (schema.maximum !== undefined && value > schema.maximum) throw new SchemaError(field, `${field} must be <= ${schema.maximum}, got ${value}`);
      break;
    }
    case 'boolean':
      if (typeof value !== 'boolean') throw new SchemaError(field, `${field} must be true or false, got ${typeName(value)}`);
      break;
    case 'array': {
      if (!Array.isArray(value)) throw new SchemaError(field, `${field} must be an array, got ${typeName(value)}`);
      if (schema.minItems !== undefined && value.length < schema.minItems) throw new SchemaError(field, `${field} must have at least ${schema.minItems} item(s)`);
      if (schema.maxItems !== undefined && value.length > schema.maxItems) throw new SchemaError(field, `${field} must have at most ${schema.maxItems} items`);
      return schema.items ? value.map((item, i) => validate(schema.items!, item, `${field}[${i}]`)) : value;
    }
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new SchemaError(field, `${field} must be a JSON object, got ${typeName(value)}`);
      return validateObject(schema, value as Record<string, unknown>, field);
    }
    default:
      break;
  }
  if (schema.enum && !schema.enum.includes(value as string)) {
    throw new SchemaError(field, `${field} must be one of ${schema.enum.join(', ')}; got ${JSON.stringify(value)}`);
  }
  return value;
}

function validateObject(schema: Schema, value: Record<string, unknown>, field: string): Record<string, unknown> {
  const prefix = field === 'body' ? '' : `${field}.`;
  const out: Record<string, unknown> = {};
  for (const name of schema.required ?? []) {
    if (value[name] === undefined) throw new SchemaError(`${prefix}${name}`, `${prefix}${name} is required`);
  }
  for (const [name, item] of Object.entries(value)) {
    const property = schema.properties?.[name];
    if (property) out[name] = validate(property, item, `${prefix}${name}`);
    else if (schema.additionalProperties === false || schema.additionalProperties === undefined) {
      const known = Object.keys(schema.properties ?? {});
      throw new SchemaError(`${prefix}${name}`, `unknown field ${prefix}${name}${known.length ? ` (known: ${known.join(', ')})` : ''}`);
    } else if (typeof schema.additionalProperties === 'object') out[name] = validate(schema.additionalProperties, item, `${prefix}${name}`);
    else out[name] = item;
  }
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    if (out[name] === undefined && property.default !== undefined) out[name] = property.default;
  }
  return out;
}

/** Query strings carry text only: turns '5' into 5 and 'true' into true where the schema asks for it. */
export function coerceQueryValue(schema: Schema, value: string): unknown {
  const type = schema.type ?? schema.anyOf?.find((s) => s.type !== 'string')?.type;
  if ((type === 'integer' || type === 'number') && /^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  if (type === 'boolean' && (value === 'true' || value === 'false' || value === '1' || value === '0')) return value === 'true' || value === '1';
  return value;
}
