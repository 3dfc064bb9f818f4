import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE } from '../../src/http/errors';

describe('the README error-code table', () => {
  it('has exactly the codes of the catalogue, each with its status and message', () => {
    const readme = readFileSync('README.md', 'utf8');
    const rows = [...readme.matchAll(/^\| (\d{3}) \| `([a-z_]+)` \| (.+) \|$/gm)].map((m) => [m[2], Number(m[1]), m[3]]);
    const catalogue = Object.entries(ERROR_CATALOGUE).map(([code, entry]) => [code, entry.status, entry.message]);
    expect(rows).toEqual(catalogue);
  });
});
