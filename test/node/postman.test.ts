import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('the Postman collection', () => {
  it('passes every assertion under newman against the real local Worker (npm run test:postman)', () => {
    const run = spawnSync('node', ['scripts/postman/run.mjs'], { encoding: 'utf8', timeout: 170_000 });
    const summary = /newman: (\d+) requests \((\d+) failed\), (\d+) assertions \((\d+) failed\), (\d+) failures/.exec(run.stdout);
    if (run.status !== 0 || !summary) console.error(run.stdout.slice(-6000), run.stderr.slice(-3000));
    expect(summary, 'newman summary line').not.toBeNull();
    const [, requests, failedRequests, assertions, failedAssertions, failures] = summary!.map(Number);
    console.log(`newman: ${requests} requests, ${assertions} assertions, ${failures} failures`);
    expect({ failedRequests, failedAssertions, failures, exit: run.status }).toEqual({
      failedRequests: 0,
      failedAssertions: 0,
      failures: 0,
      exit: 0,
    });
    expect(requests).toBeGreaterThan(10);
  });
});
