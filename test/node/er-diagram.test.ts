import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { erDiagram, readmeWithDiagram } from '../../scripts/er-diagram';

describe("the README's ER diagram", () => {
  it('is the one generated from the Drizzle schema (run `npm run docs:er` after a schema change)', () => {
    const readme = readFileSync('README.md', 'utf8');
    expect(readmeWithDiagram(readme)).toBe(readme);
  });

  it('shows every table and the booking relationships', () => {
    const diagram = erDiagram();
    for (const table of ['users', 'facilitators', 'events', 'bookings', 'outbox', 'refresh_tokens'])
      expect(diagram).toContain(`  ${table} {`);
    expect(diagram).toContain('events ||--o{ bookings : "event_id"');
    expect(diagram).toContain('users ||--o{ bookings : "user_id"');
  });
});
