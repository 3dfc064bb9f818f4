import { describe, expect, it } from 'vitest';
import { hashPassword, PBKDF2_ITERATIONS, PBKDF2_MAX_ITERATIONS, verifyPassword } from '../../src/modules/accounts/passwords';

describe('PBKDF2 password hashing', () => {
  it('is pinned at or below the deployed runtime cap of 100,000 iterations', () => {
    // Local workerd accepts more; deployed Workers throw above 100,000. This test stops a cost bump from passing locally.
    expect(PBKDF2_MAX_ITERATIONS).toBe(100_000);
    expect(PBKDF2_ITERATIONS).toBeLessThanOrEqual(100_000);
  });

  it('refuses to hash above the cap', async () => {
    await expect(hashPassword('a password', 100_001)).rejects.toThrow(RangeError);
  });

  it('stores its parameters and verifies only the right password', async () => {
    const record = await hashPassword('a good password');
    expect(record).toMatchObject({ algorithm: 'pbkdf2-sha256', iterations: PBKDF2_ITERATIONS });
    expect(await verifyPassword('a good password', record)).toBe(true);
    expect(await verifyPassword('a good passworD', record)).toBe(false);
  });

  it('verifies an older, cheaper record by its stored iteration count', async () => {
    const record = await hashPassword('legacy password', 1000);
    expect(record.iterations).toBe(1000);
    expect(await verifyPassword('legacy password', record)).toBe(true);
  });

  it('salts: the same password hashes differently twice', async () => {
    const [a, b] = await Promise.all([hashPassword('same password'), hashPassword('same password')]);
    expect(a.salt).not.toBe(b.salt);
    expect(a.hash).not.toBe(b.hash);
  });
});
