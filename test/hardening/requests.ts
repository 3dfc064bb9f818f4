import fc from 'fast-check';
import type { Operation } from '../../src/http/openapi';
import {
  entriesToJson,
  jsonSchemaOf,
  mutatedEntries,
  nastyJson,
  nastyString,
  pathSegment,
  validValue,
  type Entries,
  type ValueContext,
} from './arbitraries';

/** One generated request, kept as plain data so fast-check can print and shrink it. */
export interface GeneratedRequest {
  method: string;
  path: string;
  query: string;
  /** Who the Authorization header claims to be: an actor's name, a forged token's name, or `none`. */
  auth: string;
  authorization?: string;
  headers: Record<string, string>;
  body?: { text: string; contentType?: string; kind: string };
}

export interface Credentials {
  /** Valid tokens by actor name (member, admin, facilitator...). */
  valid: Record<string, string>;
  /** Tokens that must be refused, by what is wrong with them. */
  forged: Record<string, string>;
  malformed: string[];
}

const printable = fc.constantFrom(...'abcXYZ019-_.:/ =;,"\'<>{}%$'.split(''));
const headerValue = (maxLength: number) => fc.string({ unit: printable, maxLength });

const RAW_BODIES: Array<{ kind: string; text: string; contentType?: string }> = [
  { kind: 'truncated JSON', text: '{"a":' },
  { kind: 'not JSON', text: 'hello' },
  { kind: 'empty', text: '' },
  { kind: 'two objects', text: '{"a":1}{"b":2}' },
  { kind: 'NaN literal', text: '{"a":NaN}' },
  { kind: 'single quotes', text: "{'a':1}" },
  { kind: 'BOM', text: '\ufeff{"a":1}' },
  { kind: 'deep nesting', text: `${'['.repeat(3000)}${']'.repeat(3000)}` },
  { kind: 'deep objects', text: `${'{"a":'.repeat(2000)}1${'}'.repeat(2000)}` },
  { kind: 'over 64 KiB', text: JSON.stringify({ title: 'x'.repeat(70 * 1024) }) },
  { kind: 'text/plain JSON', text: '{"a":1}', contentType: 'text/plain' },
  { kind: 'form', text: 'a=1&role=admin', contentType: 'application/x-www-form-urlencoded' },
  { kind: 'multipart', text: '--x\r\n\r\n--x--', contentType: 'multipart/form-data; boundary=x' },
  { kind: 'json lookalike type', text: '{"a":1}', contentType: 'application/jsonx' },
  { kind: 'upper-case JSON type', text: '{}', contentType: 'APPLICATION/JSON; charset=utf-8' },
  { kind: 'no content type', text: '{"a":1}', contentType: '' },
];

/** Valid JSON object bodies for a json validator's schema, as entries. */
function validEntriesOf(zodSchema: Operation['validations'][number]['schema'], ctx: ValueContext): fc.Arbitrary<Entries> {
  const schema = jsonSchemaOf(zodSchema);
  const valid = validValue(schema, { ...ctx, root: schema }).map((value) =>
    value && typeof value === 'object' && !Array.isArray(value) ? (Object.entries(value) as Entries) : null,
  );
  return valid.map((entries) => entries ?? []);
}

/** Whether a client sends this route a body: POST, PUT and PATCH, and a DELETE that takes JSON (DELETE /me). */
export const sendsBody = (op: Operation) =>
  ['POST', 'PUT', 'PATCH'].includes(op.method) || op.validations.some((v) => v.target === 'json');

/** Body arbitrary for an operation: near-valid from its json validator when it has one, hostile always. */
function bodyArbitrary(op: Operation, ctx: ValueContext): fc.Arbitrary<GeneratedRequest['body']> {
  const json = op.validations.find((v) => v.target === 'json');
  const hostile = fc.oneof(
    nastyJson.map((value) => ({ kind: 'hostile JSON', text: JSON.stringify(value ?? null) })),
    fc.constantFrom(...RAW_BODIES),
  );
  if (!json) {
    if (op.method === 'GET') return fc.constant(undefined);
    if (!['POST', 'PUT', 'PATCH'].includes(op.method)) {
      return fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: hostile });
    }
    return hostile;
  }
  const validEntries = validEntriesOf(json.schema, ctx);
  return fc.oneof(
    { weight: 5, arbitrary: validEntries.map((e) => ({ kind: 'valid', text: entriesToJson(e) })) },
    { weight: 4, arbitrary: mutatedEntries(validEntries).map((e) => ({ kind: 'mutated', text: entriesToJson(e) })) },
    { weight: 2, arbitrary: hostile },
  );
}

/** A query value as a client would write it: plain decimals, never `1e-7`. */
const queryText = (value: unknown) => (typeof value === 'number' ? String(Number(value.toFixed(5))) : String(value));

function queryParts(op: Operation, ctx: ValueContext) {
  const query = op.validations.find((v) => v.target === 'query');
  const root = query ? jsonSchemaOf(query.schema) : {};
  const properties: Record<string, any> = root.properties ?? {};
  const valid = (name: string, schema: any) => validValue(schema, { ...ctx, root }, 1, name).map((v) => [queryText(v)]);
  const clean = Object.entries(properties).map(([name, schema]) =>
    fc.oneof(fc.constant([] as string[]), valid(name, schema)).map((values) => values.map((v) => [name, v] as const)),
  );
  return { properties, valid, clean };
}

const toSearch = (pairs: ReadonlyArray<readonly [string, string]>) => {
  const text = new URLSearchParams(pairs.map(([k, v]) => [k, v])).toString();
  return text ? `?${text}` : '';
};

/** A clean query string: each documented parameter omitted or valid. */
const cleanQueryArbitrary = (op: Operation, ctx: ValueContext) =>
  fc.tuple(...queryParts(op, ctx).clean).map((named) => toSearch(named.flat()));

/**
 * Query string arbitrary: half the time clean (each documented parameter omitted or valid), otherwise dirty (hostile
 * or repeated values, unknown parameters), so both the handler and the validator get exercised.
 */
function queryArbitrary(op: Operation, ctx: ValueContext): fc.Arbitrary<string> {
  const { properties, valid } = queryParts(op, ctx);
  const dirty = Object.entries(properties).map(([name, schema]) =>
    fc
      .oneof(
        { weight: 2, arbitrary: fc.constant([] as string[]) },
        { weight: 3, arbitrary: valid(name, schema) },
        { weight: 2, arbitrary: nastyString.map((v) => [v]) },
        { weight: 1, arbitrary: fc.tuple(nastyString, nastyString).map(([a, b]) => [a, b]) },
      )
      .map((values) => values.map((v) => [name, v] as const)),
  );
  const junk = fc.array(fc.tuple(fc.constantFrom('role', 'admin', 'debug', '__proto__', 'x'), nastyString), {
    maxLength: 2,
  });
  return fc.oneof(
    cleanQueryArbitrary(op, ctx),
    fc.tuple(fc.tuple(...dirty), junk).map(([named, extra]) => toSearch([...named.flat(), ...extra])),
  );
}

const pathNames = (op: Operation) => [...op.path.matchAll(/:([A-Za-z_]+)/g)].map((m) => m[1]!);

/** The JSON Schema of each path parameter, by name. */
function pathParameters(op: Operation): Record<string, any> {
  const param = op.validations.find((v) => v.target === 'param');
  return param ? (jsonSchemaOf(param.schema).properties ?? {}) : {};
}

function fillPath(op: Operation, segments: string[]) {
  let i = 0;
  return op.path.replace(/:([A-Za-z_]+)/g, () => segments[i++]!);
}

/** Path segments matching a parameter's pattern (URL-safe: the patterns of path parameters are). */
const patterned = (pattern: string) => fc.stringMatching(new RegExp(pattern));

function pathArbitrary(op: Operation, realIds: number[]): fc.Arbitrary<string> {
  const names = pathNames(op);
  if (!names.length) return fc.constant(op.path);
  const properties = pathParameters(op);
  // A uuid parameter (a notification id) gets well-formed uuids too, or its validator would stop every request.
  // A patterned one (a calendar feed's <token>.ics) gets strings of its pattern too.
  const segment = (name: string) =>
    properties[name]?.format === 'uuid'
      ? fc.oneof({ weight: 2, arbitrary: fc.uuid() }, { weight: 3, arbitrary: pathSegment(realIds) })
      : typeof properties[name]?.pattern === 'string'
        ? fc.oneof({ weight: 2, arbitrary: patterned(properties[name].pattern) }, { weight: 3, arbitrary: pathSegment(realIds) })
        : pathSegment(realIds);
  return fc.tuple(...names.map(segment)).map((segments) => fillPath(op, segments));
}

function authArbitrary(credentials: Credentials): fc.Arbitrary<{ auth: string; authorization?: string }> {
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant({ auth: 'none' }) },
    {
      weight: 6,
      arbitrary: fc
        .constantFrom(...Object.entries(credentials.valid))
        .map(([name, token]) => ({ auth: name, authorization: `Bearer ${token}` })),
    },
    {
      weight: 2,
      arbitrary: fc
        .constantFrom(...Object.entries(credentials.forged))
        .map(([name, token]) => ({ auth: `forged: ${name}`, authorization: `Bearer ${token}` })),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(...credentials.malformed).map((header) => ({ auth: 'malformed', authorization: header })),
    },
  );
}

const headersArbitrary = fc.record(
  {
    'X-Request-Id': fc.oneof(fc.stringMatching(/^[A-Za-z0-9._:-]{1,40}$/), headerValue(200)),
    'Idempotency-Key': fc.oneof(fc.uuid(), headerValue(300)),
    Origin: fc.constantFrom('https://evil.example', 'http://localhost:3000', 'null'),
    'X-Forwarded-For': fc.constantFrom('127.0.0.1', '10.0.0.1, 1.1.1.1'),
  },
  { requiredKeys: [] },
);

export function requestArbitrary(
  op: Operation,
  credentials: Credentials,
  ctx: Omit<ValueContext, 'root'>,
): fc.Arbitrary<GeneratedRequest> {
  const full = { ...ctx, root: {} };
  return fc
    .record({
      path: pathArbitrary(op, ctx.ids),
      query: queryArbitrary(op, full),
      auth: authArbitrary(credentials),
      headers: headersArbitrary,
      body: bodyArbitrary(op, full),
    })
    .map(({ path, query, auth, headers, body }) => ({
      method: op.method,
      path,
      query,
      ...auth,
      headers: headers as Record<string, string>,
      ...(body ? { body } : {}),
    }));
}

/**
 * Requests a route's validators accept (as far as the schema interpreter goes): `pathValue` for each path parameter
 * (a uuid where the route wants one), a clean query, a valid JSON body, the given Authorization and no other headers.
 * For tests that need the route's handler to run, e.g. to fail D1 inside it.
 */
export function validRequestArbitrary(
  op: Operation,
  ctx: Omit<ValueContext, 'root'>,
  options: { pathValue: string; authorization?: string },
): fc.Arbitrary<GeneratedRequest> {
  const full = { ...ctx, root: {} };
  const properties = pathParameters(op);
  const path = fc
    .tuple(
      ...pathNames(op).map((name) =>
        properties[name]?.format === 'uuid'
          ? fc.uuid()
          : typeof properties[name]?.pattern === 'string'
            ? patterned(properties[name].pattern)
            : fc.constant(options.pathValue),
      ),
    )
    .map((segments) => fillPath(op, segments));
  const json = op.validations.find((v) => v.target === 'json');
  const body = json
    ? validEntriesOf(json.schema, full).map((entries) => ({ kind: 'valid', text: entriesToJson(entries) }))
    : fc.constant(undefined);
  return fc.record({ path, query: cleanQueryArbitrary(op, full), body }).map(({ path, query, body }) => ({
    method: op.method,
    path,
    query,
    auth: options.authorization ? 'valid' : 'none',
    ...(options.authorization ? { authorization: options.authorization } : {}),
    headers: {},
    ...(body ? { body } : {}),
  }));
}

export function toRequest(generated: GeneratedRequest, base = 'http://api.test'): Request {
  const headers = new Headers(generated.headers);
  if (generated.authorization !== undefined) headers.set('Authorization', generated.authorization);
  if (generated.body) {
    const type = generated.body.contentType ?? 'application/json';
    if (type) headers.set('Content-Type', type);
  }
  return new Request(`${base}${generated.path}${generated.query}`, {
    method: generated.method,
    headers,
    body: generated.body ? generated.body.text : undefined,
  });
}
