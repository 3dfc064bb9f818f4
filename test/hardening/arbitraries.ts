import fc from 'fast-check';
import { z, type ZodType } from 'zod';
import { PASSWORD } from '../support/fixtures';

/**
 * Generators of hostile input, and of near-valid input derived from each route's own zod schema (through its JSON
 * Schema), so a generated request gets past the validator often enough to reach the handler and the database.
 */

/** Strings that have broken APIs: numbers in disguise, injection fragments, odd unicode, dates that are not. */
export const NASTY_STRINGS = [
  '',
  ' ',
  'NaN',
  'Infinity',
  '-Infinity',
  '1e309',
  '-1e309',
  '0x1F',
  '0b101',
  '1.5',
  '-1',
  '-0',
  '00001',
  '+1',
  ' 1 ',
  '9007199254740993',
  '99999999999999999999999999999',
  'null',
  'undefined',
  'true',
  '[]',
  '{}',
  '{"$gt":""}',
  "' OR '1'='1",
  '1; DROP TABLE users; --',
  '1 UNION SELECT password_hash, password_salt FROM users --',
  "admin'--",
  '" OR ""="',
  '%',
  '_',
  '\\',
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(document.cookie)>',
  'javascript:alert(1)',
  '${7*7}',
  '{{7*7}}',
  '../../../../etc/passwd',
  '%00',
  '\u0000',
  '\u202eevil',
  '\ud800',
  'Zalgo Z\u0351\u0352\u0353a\u0354l\u0355g\u0356o',
  '١٢٣',
  '１２３',
  '🧘‍♀️🕉️',
  'ǅǈǋ',
  '\r\nSet-Cookie: x=1',
  '2026-13-45T25:61:00Z',
  '0000-00-00T00:00:00Z',
  '9999-12-31T23:59:59Z',
  '+275760-09-13T00:00:00.001Z',
  '2026-12-01T09:30:00+99:99',
  'Online',
  'ONLINE',
  'admin',
  'cancelled',
  'scheduled',
  'razorpay',
  'stripe',
];

export const HUGE_NUMBERS = [
  0,
  -0,
  -1,
  0.5,
  1e-300,
  2 ** 31,
  2 ** 53,
  2 ** 53 + 2,
  2 ** 63,
  1e21,
  1e308,
  -1e308,
  Number.MAX_VALUE,
  Number.MIN_SAFE_INTEGER,
];

/** Keys a client must never be able to set, plus the prototype-pollution classics. */
export const MASS_ASSIGNMENT_KEYS = [
  'id',
  'role',
  'status',
  'is_paid',
  'booked_count',
  'user_id',
  'facilitator_id',
  'payment_id',
  'amount_paid',
  'created_at',
  'updated_at',
  'cancelled_at',
  'seats_left',
  'crm_id',
  'password_hash',
  'isAdmin',
];
export const POLLUTION_KEYS = ['__proto__', 'constructor', 'prototype'];

export const nastyString = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.integer({ min: 300, max: 70_000 }).map((n) => 'x'.repeat(n)) },
);

export const nastyNumber = fc.oneof(
  fc.constantFrom(...HUGE_NUMBERS),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** Any JSON value an attacker might send where something else is expected. */
export const nastyJson: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    nastyNumber,
    nastyString,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom(...MASS_ASSIGNMENT_KEYS)), tie('value'), {
      maxKeys: 4,
    }),
  ),
})).value;

/** A JSON object body as a list of entries, so `__proto__` and duplicate keys survive serialisation. */
export type Entries = Array<[string, unknown]>;

export function entriesToJson(entries: Entries): string {
  return `{${entries.map(([key, value]) => `${JSON.stringify(key)}:${JSON.stringify(value ?? null)}`).join(',')}}`;
}

type JsonSchema = Record<string, any>;

/** What value generation needs besides the schema: its root (for $ref), the route's marker, real ids to aim at. */
export interface ValueContext {
  root: JsonSchema;
  marker: string;
  ids: number[];
  /** Real ids for one field (event_id, booking_id...), where a caller wants each id field to name its own kind of row. */
  idsFor?: (field: string) => number[] | undefined;
  /** Emails of real accounts (whose password is PASSWORD), so logins can succeed. */
  emails: string[];
}

function resolve(schema: JsonSchema, root: JsonSchema): JsonSchema {
  if (typeof schema.$ref === 'string') {
    const name = schema.$ref.split('/').pop()!;
    return resolve(root.$defs?.[name] ?? root.definitions?.[name] ?? {}, root);
  }
  return schema;
}

const isoIn = (days: fc.Arbitrary<number>) => days.map((d) => new Date(Date.now() + d * 86_400_000 + 3_600_000).toISOString());

/**
 * Plausible values by field name, for fields whose schema alone (a string later parsed or refined) says too little:
 * they let generated requests reach the handlers and the database instead of stopping at validation.
 */
function hintFor(name: string, ctx: ValueContext): fc.Arbitrary<unknown> | null {
  if (/email/i.test(name)) {
    const fresh = fc.stringMatching(/^[a-z0-9]{1,12}$/).map((l) => `${ctx.marker}.${l}@example.test`);
    return ctx.emails.length ? fc.oneof(fresh, fc.constantFrom(...ctx.emails)) : fresh;
  }
  if (/password/i.test(name)) return fc.constantFrom(PASSWORD, 'another long passphrase');
  if (/(^|_)id$/.test(name)) return fc.constantFrom(...(ctx.idsFor?.(name) ?? ctx.ids));
  if (/(_at|^date|^from|^to)$/.test(name)) return isoIn(fc.integer({ min: -30, max: 400 }));
  if (/timezone/.test(name)) return fc.constantFrom('UTC', 'Asia/Kolkata', 'Europe/London', 'America/New_York');
  if (/currency/.test(name)) return fc.constantFrom('INR', 'USD');
  if (/^lat(itude)?$/.test(name)) return fc.double({ min: -90, max: 90, noNaN: true });
  if (/^(lng|lon|longitude)$/.test(name)) return fc.double({ min: -180, max: 180, noNaN: true });
  if (/radius/.test(name)) return fc.integer({ min: 1, max: 1000 });
  if (/limit/.test(name)) return fc.integer({ min: 1, max: 100 });
  if (/^location$/.test(name)) return fc.constantFrom('Rishikesh', 'Goa', 'Online', 'Delhi', `${ctx.marker} Nowhere`);
  if (/provider/.test(name)) return fc.constantFrom('razorpay', 'stripe');
  if (/capacity/.test(name)) return fc.integer({ min: 1, max: 100 });
  if (/price|amount/.test(name)) return fc.constantFrom(0, 0, 50_000);
  if (/duration_minutes/.test(name)) return fc.integer({ min: 15, max: 240 });
  return null;
}

/** A value valid for the JSON Schema (as far as this small interpreter goes), with the marker in free-text strings. */
export function validValue(raw: JsonSchema, ctx: ValueContext, depth = 0, name = ''): fc.Arbitrary<unknown> {
  const schema = resolve(raw, ctx.root);
  if (depth > 6) return fc.constant(null);
  if ('const' in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...schema.enum);
  const hint = name ? hintFor(name, ctx) : null;
  // A string *_id (crm_id, razorpay_order_id, payment_intent_id) is not a row id: the schema's own string rules apply.
  const stringId = schema.type === 'string' && /(^|_)id$/.test(name);
  if (hint && !stringId && !['object', 'array', 'boolean'].includes(schema.type)) return hint;
  const choices = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(choices) && choices.length) {
    return fc.oneof(...choices.map((choice: JsonSchema) => validValue(choice, ctx, depth + 1, name)));
  }
  if (Array.isArray(schema.allOf) && schema.allOf.length) return validValue(schema.allOf[0], ctx, depth + 1, name);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'object':
      return validObject(schema, ctx, depth).map((entries) => Object.fromEntries(entries));
    case 'array':
      return fc.array(validValue(schema.items ?? {}, ctx, depth + 1, name), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(schema.maxItems ?? 3, 3),
      });
    case 'integer':
      return fc.integer({
        min: Math.max(Math.ceil(schema.minimum ?? (schema.exclusiveMinimum ?? -1001) + 1), -1_000_000),
        max: Math.min(Math.floor(schema.maximum ?? (schema.exclusiveMaximum ?? 100_001) - 1), 1_000_000),
      });
    case 'number':
      return fc.double({
        min: Math.max(schema.minimum ?? -1000, -1_000_000),
        max: Math.min(schema.maximum ?? 1000, 1_000_000),
        noNaN: true,
        noDefaultInfinity: true,
      });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'string':
      return validString(schema, ctx.marker);
    default:
      return fc.oneof(fc.integer({ min: 1, max: 50 }), fc.string({ maxLength: 10 }), fc.boolean());
  }
}

function validString(schema: JsonSchema, marker: string): fc.Arbitrary<string> {
  const min = schema.minLength ?? 0;
  const max = Math.min(schema.maxLength ?? 60, 60);
  if (schema.format === 'email') {
    return fc.stringMatching(/^[a-z0-9]{1,12}$/).map((local) => `${marker}.${local}@example.test`);
  }
  if (schema.format === 'date-time') return isoIn(fc.integer({ min: -30, max: 400 }));
  if (schema.format === 'uuid') return fc.uuid();
  if (schema.format === 'uri') {
    return fc
      .stringMatching(/^[a-z0-9]{1,12}$/)
      .map((part) => `https://hooks.example.test/${marker.replace(/[^A-Za-z0-9]/g, '')}/${part}`);
  }
  if (typeof schema.pattern === 'string') {
    try {
      const maxLength = schema.maxLength ?? 1e9;
      return fc.stringMatching(new RegExp(schema.pattern)).filter((s) => s.length >= min && s.length <= maxLength);
    } catch {
      // a pattern JavaScript cannot compile falls through to plain text
    }
  }
  const text = fc.string({ minLength: Math.max(min, 1), maxLength: Math.max(max, min, 1) });
  if (max < marker.length + 2) return text.filter((s) => s.length >= min && s.trim().length > 0);
  return fc.oneof(
    text.filter((s) => s.length >= min && s.trim().length > 0),
    fc.string({ maxLength: Math.max(0, max - marker.length - 1) }).map((s) => `${marker} ${s}`),
  );
}

function validObject(schema: JsonSchema, ctx: ValueContext, depth: number): fc.Arbitrary<Entries> {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set<string>(schema.required ?? []);
  const fields = Object.entries(properties).map(([key, property]) => {
    const value = validValue(property, ctx, depth + 1, key).map((v) => [key, v] as [string, unknown]);
    return required.has(key) ? value.map((e) => [e]) : fc.option(value, { nil: undefined, freq: 2 }).map((e) => (e ? [e] : []));
  });
  if (!fields.length) return fc.constant([]);
  return fc.tuple(...fields).map((parts) => parts.flat() as Entries);
}

/** The schema's JSON Schema as a validator sees input (before transforms and defaults). */
export function jsonSchemaOf(schema: ZodType): JsonSchema {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
}

/** Near-valid object entries: a valid object with some fields replaced, dropped or added (mass assignment, pollution). */
export function mutatedEntries(valid: fc.Arbitrary<Entries>): fc.Arbitrary<Entries> {
  const mutation = fc.oneof(
    fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), value: nastyJson }),
    fc.record({ kind: fc.constant('drop' as const), at: fc.nat() }),
    fc.record({
      kind: fc.constant('add' as const),
      key: fc.constantFrom(...MASS_ASSIGNMENT_KEYS, ...POLLUTION_KEYS),
      value: fc.oneof(
        fc.constantFrom<unknown>('admin', 'confirmed', true, 1, 0, 999_999, { role: 'admin', isAdmin: true }),
        nastyJson,
      ),
    }),
  );
  return fc.tuple(valid, fc.array(mutation, { minLength: 1, maxLength: 3 })).map(([entries, mutations]) => {
    const out: Entries = entries.map(([k, v]) => [k, v]);
    for (const m of mutations) {
      if (m.kind === 'add') out.push([m.key, m.value]);
      else if (out.length && m.kind === 'replace') out[m.at % out.length]![1] = m.value;
      else if (out.length && m.kind === 'drop') out.splice(m.at % out.length, 1);
    }
    return out;
  });
}

/** Path segments for `:id`-like params: the given real ids and everything an integer parser might trip on. */
export function pathSegment(realIds: number[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...realIds.map(String)) },
    { weight: 1, arbitrary: fc.integer({ min: -5, max: 2_000_000_000 }).map(String) },
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        '0',
        '-1',
        '1.5',
        '1e3',
        '0x10',
        'NaN',
        'Infinity',
        '9007199254740993',
        '99999999999999999999999',
        '%20',
        '%00',
        '%2e%2e',
        '..',
        '١',
        '１',
        '%201',
        '+1',
        '01',
        'abc',
        'null',
      ),
    },
    // toWellFormed: a lone surrogate cannot be percent-encoded (URIError); a client cannot send one either.
    {
      weight: 1,
      arbitrary: nastyString.filter((s) => s.length > 0 && s.length < 2000).map((s) => encodeURIComponent(s.toWellFormed())),
    },
  );
}
