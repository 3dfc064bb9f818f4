import { describe, expect, it } from 'vitest';
import { constantTimeEqual } from '../../src/lib/constant-time';
import { hmacSha256Hex, verifyHmacSha256Hex } from '../../src/lib/crypto';

describe('HMAC-SHA256', () => {
  it('matches the RFC 4231 test case 2', async () => {
    expect(await hmacSha256Hex('Jefe', 'what do ya want for nothing?')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });

  it('verifies a right signature in any case and refuses a wrong one', async () => {
    const signature = await hmacSha256Hex('secret', 'order_1|pay_1');
    expect(await verifyHmacSha256Hex('secret', 'order_1|pay_1', signature.toUpperCase())).toBe(true);
    expect(await verifyHmacSha256Hex('secret', 'order_1|pay_2', signature)).toBe(false);
    expect(await verifyHmacSha256Hex('other', 'order_1|pay_1', signature)).toBe(false);
    expect(await verifyHmacSha256Hex('secret', 'order_1|pay_1', signature.slice(0, -1))).toBe(false);
  });

  it('constant-time comparison is still a comparison', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
  });
});
