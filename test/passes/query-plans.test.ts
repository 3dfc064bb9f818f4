import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { Batch } from '../../src/db/batch';
import { chargeCredits, returnCredits } from '../../src/modules/passes/credits';

/** The statement a credit helper adds to a batch, captured instead of run. */
function statementOf(add: (batch: Batch) => void) {
  let captured: { text: string; params: unknown[] } | undefined;
  add({ sql: (text: string, ...params: unknown[]) => (captured = { text, params }) } as unknown as Batch);
  return captured!;
}

async function plan(statement: { text: string; params: unknown[] }) {
  const { results } = await env.DB.prepare(`EXPLAIN QUERY PLAN ${statement.text}`)
    .bind(...statement.params)
    .all<{ detail: string }>();
  return results.map((row) => row.detail);
}

/**
 * Every cancel batch returns pass credits and every pass booking charges one: both must reach their bookings through
 * an index (a plan that scans `bookings` would read the whole table on every cancel and every /book).
 */
describe('pass credit statements read an index, never the bookings table', () => {
  it.each([
    ['return credits (every cancel)', () => statementOf((b) => returnCredits(b, new Date()))],
    ['charge credits (a pass booking)', () => statementOf((b) => chargeCredits(b, 1, new Date()))],
  ])('%s', async (_, statement) => {
    const steps = await plan(statement());
    expect(steps.join('\n')).not.toMatch(/SCAN b\b|SCAN bookings/);
    expect(steps.join('\n')).toMatch(/bookings_(pass_cancelled|member_pass)_idx/);
  });
});
