/**
 * The check-in code: 128 random bits as 32 hex characters, made by the statement that inserts the booking (so a
 * series booking of many rows gets one per row in one statement). SQLite's randomblob() draws from its ChaCha20
 * generator, seeded by the platform's entropy source. The code is unique (an index) and shown only to the booking's
 * user and admins.
 */
export const NEW_CHECK_IN_CODE_SQL = 'lower(hex(randomblob(16)))';

/** What a check-in code looks like: anything else is not looked up. */
export const CHECK_IN_CODE_PATTERN = /^[0-9a-f]{32}$/;
