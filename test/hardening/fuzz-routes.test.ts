import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { app } from '../../src/app';
import { collectOperations, type Operation } from '../../src/http/openapi';
import { expectErrorShape } from '../support/http';
import { createWorld } from './world';
import { MALFORMED_AUTHORIZATION, forgedTokens } from './bad-tokens';
import { hardFetch, reachedHandler } from './client';
import { fakeUpstreams } from './fake-upstreams';
import { requestArbitrary, toRequest, type Credentials, type GeneratedRequest } from './requests';
import { changedTables, prepareHardeningDb, snapshot } from './isolated-db';

/**
 * Property-based fuzzing of every route the app has, read from the app itself (`collectOperations`), so a route that
 * lands is fuzzed without this file changing. For each generated request (hostile or near-valid body, query, path
 * ids, headers and tokens) the property is: never a 5xx; every 4xx in the contract's error shape; a rejected request
 * changes no row of any table (whole-table snapshots of the suite's own D1 before and after) and sends nothing to a
 * queue; a success answers with a status its route documents, in the schema it documents.
 */

const RUNS_PER_ROUTE = 150;
const SEED = 20_261_124;
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Writes a rejected request may make by design, per route: everything else must write nothing. */
const WRITES_ALLOWED_ON_REJECTION: Record<string, { statuses: number[]; tables: string[] }> = {
  // A failed login is recorded, or the brute-force limit could not count it.
  'POST /login': { statuses: [401], tables: ['login_failures'] },
  // Presenting a rotated-away refresh token revokes its family (theft detection).
  'POST /token/refresh': { statuses: [401], tables: ['refresh_tokens'] },
};

const operations = collectOperations(app);
const routeKey = (op: Operation) => `${op.method} ${op.path}`;

function routeHash(key: string): number {
  let hash = 7;
  for (const ch of key) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return hash;
}
/** A short marker per route, put into generated strings, so a row a request wrote can be traced to its route. */
const markerFor = (key: string) => `hz${routeHash(key).toString(36)}`;

interface RouteStats {
  cases: number;
  byStatus: Map<number, number>;
  reachedHandler: number;
}
const stats = new Map<string, RouteStats>();

let upstreams: ReturnType<typeof fakeUpstreams>;
beforeAll(async () => {
  await prepareHardeningDb();
  upstreams = fakeUpstreams();
  // Rejected geocodes and provider calls log warnings by design; thousands of them would bury real failures.
  vi.spyOn(console, 'warn').mockImplementation(() => {});
});
afterAll(() => upstreams.restore());

/** A fresh world per route, so one route's successes (a cancelled event, a used seat) do not starve the next. */
async function worldFor() {
  const world = await createWorld();
  const credentials: Credentials = {
    valid: {
      member: world.member.token,
      'other member': world.otherMember.token,
      facilitator: world.facilitator.token,
      'other facilitator': world.otherFacilitator.token,
      admin: world.admin.token,
    },
    forged: await forgedTokens(world.member),
    malformed: MALFORMED_AUTHORIZATION,
  };
  const ids = [
    world.event,
    world.otherEvent,
    world.freeEvent,
    world.paidEvent,
    world.booking,
    world.otherBooking,
    world.facilitator.facilitatorId,
    world.otherFacilitator.facilitatorId,
    world.member.id,
  ];
  const emails = [world.member.email, world.admin.email, world.facilitator.email];
  return { world, credentials, ids, emails };
}

async function send(generated: GeneratedRequest) {
  const before = await snapshot();
  const res = await hardFetch(toRequest(generated));
  const changed = changedTables(before, await snapshot());
  return { ...res, changed, sent: [...res.crm, ...res.jobs] };
}

function checkAnswer(op: Operation, generated: GeneratedRequest, res: Awaited<ReturnType<typeof send>>) {
  const key = routeKey(op);
  expect(res.status, `${key} answered ${res.status}: ${res.text.slice(0, 300)}`).toBeLessThan(500);

  const echoed = res.headers.get('X-Request-Id');
  // Headers drop surrounding whitespace before the app sees them.
  const sent = generated.headers['X-Request-Id']?.trim();
  if (sent !== undefined && SANE_REQUEST_ID.test(sent)) expect(echoed).toBe(sent);
  else expect(echoed).toMatch(/^[0-9a-f-]{36}$/);

  if (generated.auth.startsWith('forged') || generated.auth === 'malformed') {
    // A bad token is refused everywhere; only the body checks that run before authentication can answer first.
    expect([401, 400, 413, 415], `${generated.auth} got ${res.status}`).toContain(res.status);
    if (res.status === 400) expect(res.json?.code).toBe('invalid_json');
  }
  if (generated.auth === 'none' && !op.isPublic) {
    expect([401, 400, 404, 413, 415]).toContain(res.status);
    if (res.status === 400) expect(res.json?.code).toBe('invalid_json');
  }

  if (res.status >= 400) {
    expectErrorShape(res);
    const allowed = WRITES_ALLOWED_ON_REJECTION[key];
    const excused = allowed?.statuses.includes(res.status) ? allowed.tables : [];
    const statements = res.d1.writes().flatMap((w) => w.sql);
    expect(
      res.changed.filter((table) => !excused.includes(table)),
      `${key} ${res.status} ${res.json?.code} changed rows; its writes: ${statements.join(' / ').slice(0, 500)}`,
    ).toEqual([]);
    expect(res.sent, `${key} ${res.status} sent queue messages`).toEqual([]);
    return;
  }
  const documented = op.doc.responses[res.status];
  expect(documented, `${key} answered ${res.status}, which its route does not document`).toBeDefined();
  if (documented?.schema && res.headers.get('Content-Type')?.startsWith('application/json')) {
    const parsed = documented.schema.safeParse(res.json);
    expect(parsed.success, `${key} ${res.status} body does not match its documented schema: ${parsed.error}`).toBe(true);
  }
}

describe('every route under generated hostile and near-valid requests', () => {
  it('has routes to fuzz', () => {
    expect(operations.length).toBeGreaterThan(5);
  });

  it.each(operations.map((op) => [routeKey(op), op] as const))(
    '%s: never 5xx, errors in the contract shape, rejected requests write nothing, some reach the handler',
    async (key, op) => {
      const marker = markerFor(key);
      const { credentials, ids, emails } = await worldFor();
      const route: RouteStats = { cases: 0, byStatus: new Map(), reachedHandler: 0 };
      stats.set(key, route);
      await fc.assert(
        fc.asyncProperty(requestArbitrary(op, credentials, { marker, ids, emails }), async (generated) => {
          const res = await send(generated);
          route.cases += 1;
          route.byStatus.set(res.status, (route.byStatus.get(res.status) ?? 0) + 1);
          if (reachedHandler(res)) route.reachedHandler += 1;
          checkAnswer(op, generated, res);
        }),
        { seed: (SEED ^ routeHash(key)) | 0, numRuns: RUNS_PER_ROUTE, endOnFailure: true },
      );
      // Without this the properties above could hold vacuously: every request stopped by a validator or by
      // authentication never touches the handler, its queries or its writes.
      expect(route.reachedHandler, `${key}: no generated request got past validation and authentication`).toBeGreaterThan(0);
    },
    300_000,
  );
});

afterAll(() => {
  const rows = [...stats].map(([key, s]) => {
    const count = (test: (status: number) => boolean) =>
      [...s.byStatus].filter(([status]) => test(status)).reduce((sum, [, n]) => sum + n, 0);
    return {
      route: key,
      cases: s.cases,
      '2xx': count((x) => x < 300),
      '4xx': count((x) => x >= 400 && x < 500),
      '5xx': count((x) => x >= 500),
      'past validation and auth': s.reachedHandler,
      statuses: [...s.byStatus.keys()].sort().join(' '),
    };
  });
  const total = rows.reduce((sum, row) => sum + row.cases, 0);
  console.log(`\nHardening fuzz: ${rows.length} routes, ${total} generated requests (seed ${SEED}, ${RUNS_PER_ROUTE} per route)`);
  console.log(
    ['| Route | Cases | 2xx | 4xx | 5xx | Past validation/auth | Statuses seen |', '|---|---|---|---|---|---|---|']
      .concat(
        rows.map(
          (r) =>
            `| ${r.route} | ${r.cases} | ${r['2xx']} | ${r['4xx']} | ${r['5xx']} | ${r['past validation and auth']} | ${r.statuses} |`,
        ),
      )
      .join('\n'),
  );
});
