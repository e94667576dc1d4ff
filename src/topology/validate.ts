// Building blocks for validating hand-written configuration (scenario files): small validators
// that report every problem they see with the path of the bad field, instead of stopping at the
// first. Generic on purpose: the topology, faults, steps and expectations sections share them.
//
// A validator returns the checked (and normalised) value, or `undefined` after recording at least
// one issue. Callers keep going after a failure so that one run lists all mistakes in a file.

export type PathSegment = string | number;

export interface Issue {
  /** where, e.g. `gestori[1].domains[0]`; empty for the document itself */
  path: string;
  message: string;
  /** 1-based position in the source file, when known */
  line?: number;
  column?: number;
}

/** An issue as recorded, with the path still in segments so a source position can be found. */
export interface RawIssue {
  segments: readonly PathSegment[];
  message: string;
}

/** Where a validator stands in the document, and where it reports. */
export class Ctx {
  constructor(
    readonly issues: RawIssue[] = [],
    readonly segments: readonly PathSegment[] = [],
  ) {}

  at(segment: PathSegment): Ctx {
    return new Ctx(this.issues, [...this.segments, segment]);
  }

  get path(): string {
    return formatPath(this.segments);
  }

  /** Records an issue at this path; returns undefined so validators can `return ctx.fail(...)`. */
  fail(message: string): undefined {
    this.issues.push({ segments: this.segments, message });
    return undefined;
  }

  /** Number of issues recorded so far by everyone sharing this context. */
  get issueCount(): number {
    return this.issues.length;
  }
}

export type Validator<T> = (value: unknown, ctx: Ctx) => T | undefined;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** `['gestori', 1, 'domains', 0]` -> `gestori[1].domains[0]` */
export function formatPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** A short description of what was found, for "expected X, got Y" messages. */
export function describe(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
    case 'number':
      return `the number ${value}`;
    case 'boolean':
      return `${value}`;
    case 'object':
      return value instanceof Date ? `the date ${value.toISOString()}` : 'a mapping';
    default:
      return typeof value;
  }
}

export function isAbsent(value: unknown): value is null | undefined {
  // YAML writes an empty value (`description:`) as null: treat it as "not given".
  return value === null || value === undefined;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

// ---- scalars ----

export interface StringOptions {
  /** reject the empty (or blank) string; default true */
  nonEmpty?: boolean;
  pattern?: RegExp;
  /** what the pattern means, for the message: "lowercase letters, digits and '-'" */
  patternHint?: string;
  maxLength?: number;
}

export function string(options: StringOptions = {}): Validator<string> {
  const { nonEmpty = true, pattern, patternHint, maxLength } = options;
  return (value, ctx) => {
    if (typeof value !== 'string') return ctx.fail(`expected a string, got ${describe(value)}`);
    if (nonEmpty && value.trim() === '') return ctx.fail('expected a non-empty string');
    if (maxLength !== undefined && value.length > maxLength) {
      return ctx.fail(`expected at most ${maxLength} characters, got ${value.length}`);
    }
    if (pattern && !pattern.test(value)) {
      return ctx.fail(`expected ${patternHint ?? `a string matching ${pattern}`}, got ${describe(value)}`);
    }
    return value;
  };
}

export const boolean: Validator<boolean> = (value, ctx) =>
  typeof value === 'boolean' ? value : ctx.fail(`expected true or false, got ${describe(value)}`);

export function integer(options: { min?: number; max?: number } = {}): Validator<number> {
  return (value, ctx) => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
      return ctx.fail(`expected a whole number, got ${describe(value)}`);
    }
    if (options.min !== undefined && value < options.min) return ctx.fail(`expected at least ${options.min}, got ${value}`);
    if (options.max !== undefined && value > options.max) return ctx.fail(`expected at most ${options.max}, got ${value}`);
    return value;
  };
}

export function oneOf<T extends string>(values: readonly T[]): Validator<T> {
  return (value, ctx) => {
    if (typeof value === 'string' && (values as readonly string[]).includes(value)) return value as T;
    return ctx.fail(`expected one of ${values.map((v) => JSON.stringify(v)).join(', ')}, got ${describe(value)}`);
  };
}

/** Every member of a string union, checked complete by the compiler: `enumOf<Dialect['digest']>({ 'sha-256': 1, sha1: 1 })`. */
export function enumOf<T extends string>(members: Record<T, unknown>): Validator<T> {
  return oneOf(Object.keys(members) as T[]);
}

// ---- lists ----

/**
 * Calls `each` for every item of a list with the item's context; returns false (after an issue)
 * when the value is not a list. Use it when items must be checked against each other.
 */
export function forEachItem(
  value: unknown,
  ctx: Ctx,
  each: (item: unknown, itemCtx: Ctx, index: number) => void,
  options: { minItems?: number } = {},
): boolean {
  if (!Array.isArray(value)) {
    ctx.fail(`expected a list, got ${describe(value)}`);
    return false;
  }
  if (options.minItems !== undefined && value.length < options.minItems) {
    ctx.fail(`expected at least ${options.minItems} item${options.minItems === 1 ? '' : 's'}, got ${value.length}`);
  }
  value.forEach((item, index) => each(item, ctx.at(index), index));
  return true;
}

/** A list whose items all pass `item`; undefined when any item fails (all failures reported). */
export function listOf<T>(item: Validator<T>, options: { minItems?: number } = {}): Validator<T[]> {
  return (value, ctx) => {
    const before = ctx.issueCount;
    const out: T[] = [];
    const isList = forEachItem(value, ctx, (raw, itemCtx) => {
      const checked = item(raw, itemCtx);
      if (checked !== undefined) out.push(checked);
    }, options);
    return isList && ctx.issueCount === before ? out : undefined;
  };
}

/** Tries each alternative on a scratch context; reports `expected` when none accepts the value. */
export function either<T>(alternatives: Array<[accepts: (value: unknown) => boolean, validator: Validator<T>]>, expected: string): Validator<T> {
  return (value, ctx) => {
    for (const [accepts, validator] of alternatives) {
      if (accepts(value)) return validator(value, ctx);
    }
    return ctx.fail(`expected ${expected}, got ${describe(value)}`);
  };
}

// ---- mappings ----

export interface Field<T> {
  validator: Validator<T>;
  required: boolean;
  fallback?: () => T;
}

/** A key that must be present. */
export function required<T>(validator: Validator<T>): Field<T> {
  return { validator, required: true };
}

/** A key that may be absent (value undefined then). */
export function optional<T>(validator: Validator<T>): Field<T | undefined> {
  return { validator, required: false };
}

/** A key that may be absent, replaced by `fallback` then. */
export function withDefault<T>(validator: Validator<T>, fallback: T | (() => T)): Field<T> {
  return {
    validator,
    required: false,
    fallback: typeof fallback === 'function' ? (fallback as () => T) : () => fallback,
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Shape = Record<string, Field<any>>;
export type ShapeOut<S extends Shape> = { [K in keyof S]: S[K] extends Field<infer T> ? T : never };

export interface ObjectRead<S extends Shape> {
  /** every field that passed, defaults applied; failed fields are absent */
  fields: Partial<ShapeOut<S>>;
  /** true when the mapping and all its fields passed (unknown keys do not count: they are reported anyway) */
  complete: boolean;
  /** the raw mapping, for keys handled by the caller (`allow`) */
  raw: Record<string, unknown>;
}

export interface ObjectOptions {
  /** further keys the caller validates itself; accepted here without checks */
  allow?: readonly string[];
}

/**
 * Reads a mapping field by field: missing required keys, unknown keys (with a "did you mean"
 * hint) and bad values are all reported. Returns what passed, so that checks across fields and
 * across list items still run on a partly wrong document. Undefined when the value is no mapping.
 */
export function readObject<S extends Shape>(value: unknown, ctx: Ctx, shape: S, options: ObjectOptions = {}): ObjectRead<S> | undefined {
  if (!isPlainObject(value)) {
    ctx.fail(`expected a mapping with keys ${Object.keys(shape).join(', ')}, got ${describe(value)}`);
    return undefined;
  }
  const known = [...Object.keys(shape), ...(options.allow ?? [])];
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue;
    const hint = closest(key, known);
    ctx.at(key).fail(`unknown key "${key}"${hint ? ` (did you mean "${hint}"?)` : ''}; allowed here: ${known.join(', ')}`);
  }
  const fields: Partial<ShapeOut<S>> = {};
  let complete = true;
  for (const [key, field] of Object.entries(shape) as Array<[keyof S & string, Field<unknown>]>) {
    const raw = value[key];
    if (isAbsent(raw)) {
      if (field.required) {
        ctx.at(key).fail(`missing required key "${key}"`);
        complete = false;
      } else {
        fields[key] = (field.fallback ? field.fallback() : undefined) as ShapeOut<S>[typeof key];
      }
      continue;
    }
    const checked = field.validator(raw, ctx.at(key));
    if (checked === undefined) complete = false;
    else fields[key] = checked as ShapeOut<S>[typeof key];
  }
  return { fields, complete, raw: value };
}

/** A mapping validator: the whole value, or undefined when anything in it failed. */
export function object<S extends Shape>(shape: S, options: ObjectOptions = {}): Validator<ShapeOut<S>> {
  return (value, ctx) => {
    const before = ctx.issueCount;
    const read = readObject(value, ctx, shape, options);
    return read && read.complete && ctx.issueCount === before ? (read.fields as ShapeOut<S>) : undefined;
  };
}

/** The known key nearest to a typo: edit distance <= 2, differing only in case, or a truncation. */
export function closest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  const lower = key.toLowerCase();
  for (const candidate of known) {
    const other = candidate.toLowerCase();
    const distance = other === lower ? 0 : key.length >= 4 && other.startsWith(lower) ? 1 : editDistance(key, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}
