// The `dialect:` field of a gestore: a named dialect of the PEC message library (`standard`,
// `legacy`, ...) or a mapping that starts from one and overrides some of its fields. Resolving it
// against the library's registry gives the `Dialect` object the engine signs and builds with.
import type { Dialect } from '../pec/types.js';
import {
  boolean, type Ctx, describe, enumOf, isAbsent, isPlainObject, readObject, optional, string, type Validator, closest,
} from './validate.js';

/** The named dialects a scenario may start from. */
export type DialectRegistry = Readonly<Record<string, Dialect>>;

type Overridable = Omit<Dialect, 'name'>;

// Written as complete records so that a new member of a Dialect union (or a new Dialect field)
// fails to compile here until the scenario format knows about it.
const fieldValidators: { [K in keyof Overridable]-?: Validator<NonNullable<Overridable[K]>> } = {
  signatureProtocol: enumOf<Dialect['signatureProtocol']>({ 'application/pkcs7-signature': 1, 'application/x-pkcs7-signature': 1 }),
  digest: enumOf<Dialect['digest']>({ 'sha-256': 1, sha1: 1 }),
  textCharset: enumOf<Dialect['textCharset']>({ 'utf-8': 1, 'iso-8859-1': 1 }),
  textEncoding: enumOf<Dialect['textEncoding']>({ base64: 1, 'quoted-printable': 1, '8bit': 1 }),
  tipoRicevutaHeader: string({ pattern: /^[A-Za-z][A-Za-z0-9-]*$/, patternHint: 'a header name such as X-TipoRicevuta' }),
  breveHash: enumOf<Dialect['breveHash']>({ sha256: 1, sha1: 1 }),
  notice24hTipo: enumOf<Dialect['notice24hTipo']>({ 'preavviso-errore-consegna': 1, 'errore-consegna': 1 }),
  micalgQuoted: boolean,
};

export const DIALECT_FIELDS = Object.keys(fieldValidators) as Array<keyof Overridable>;

/**
 * Validates `dialect: NAME` or `dialect: { base: NAME, name?: ..., <field>: <value>, ... }` and
 * returns the resolved Dialect. A customised dialect is named `<base>-custom` unless it says.
 */
export function dialectValidator(registry: DialectRegistry): Validator<Dialect> {
  const names = Object.keys(registry);
  const baseName = (value: unknown, ctx: Ctx): Dialect | undefined => {
    // A copy: the topology is frozen, the library's own dialect objects must not be.
    if (typeof value === 'string' && Object.hasOwn(registry, value)) return { ...registry[value] };
    const hint = typeof value === 'string' ? closest(value, names) : undefined;
    return ctx.fail(
      `expected a dialect name, one of ${names.map((n) => `"${n}"`).join(', ')}${hint ? ` (did you mean "${hint}"?)` : ''}, ` +
        `or a mapping { base: NAME, <field>: <value> }, got ${describe(value)}`,
    );
  };

  return (value, ctx) => {
    if (!isPlainObject(value)) return baseName(value, ctx);
    const shape = {
      base: optional(baseName),
      name: optional(string({ pattern: /^[a-z0-9][a-z0-9+._-]*$/, patternHint: 'a dialect name of lowercase letters, digits and -+._' })),
      ...Object.fromEntries(DIALECT_FIELDS.map((field) => [field, optional(fieldValidators[field] as Validator<unknown>)])),
    };
    const read = readObject(value, ctx, shape);
    if (!read || !read.complete) return undefined;
    const base = isAbsent(value.base) ? registry.standard : read.fields.base;
    if (!base) return ctx.at('base').fail(`no "standard" dialect is registered: name a base, one of ${names.join(', ')}`);
    const overrides: Partial<Overridable> = {};
    for (const field of DIALECT_FIELDS) {
      const override = (read.fields as Record<string, unknown>)[field];
      if (override !== undefined) Object.assign(overrides, { [field]: override });
    }
    const name = read.fields.name ?? (Object.keys(overrides).length > 0 ? `${base.name}-custom` : base.name);
    return { ...base, ...overrides, name } as Dialect;
  };
}
