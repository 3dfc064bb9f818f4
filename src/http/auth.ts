import type { CurrentUser, Role, TokenSubject } from '../env';
import { tokenSettings, verifyAccessToken } from '../modules/accounts/tokens';
import { ApiError, unauthorized } from './errors';
import { factory } from './factory';
import { answeringRouteDoc } from './matched-route';

/**
 * The caller's row. Written as SQL once rather than built by drizzle's relational query on every authenticated
 * request: query building was most of this middleware's cost in the bench's CPU profile. One SELECT by primary key.
 */
const LOAD_USER_SQL = 'SELECT id, name, email, role, token_version FROM users WHERE id = ?';

/**
 * Authentication that denies by default: a route is public only if its describeRoute mark says `public: true`. A
 * token that is present is always verified (a bad one is 401 even on a public route), and the user is loaded from
 * the database, so a deleted user or a changed role takes effect at once. Unknown routes fall through to 404.
 */
export const authenticate = factory.createMiddleware(async (c, next) => {
  c.set('user', null);
  c.set('subject', null);
  const header = c.req.header('Authorization');
  if (header !== undefined) {
    const match = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i.exec(header);
    if (!match) throw unauthorized('The Authorization header must be "Bearer <access_token>"');
    const claims = await verifyAccessToken(tokenSettings(c.env), match[1]!);
    if (!claims) throw unauthorized('The access token is invalid or expired');
    c.set('subject', { id: claims.userId, version: claims.version });
    // The route's write batch checks the token itself (route mark userCheck: 'in-batch'): no read here.
    if (answeringRouteDoc(c)?.userCheck === 'in-batch') return next();
    // From the primary (the binding itself, not this request's replica session): a demoted admin, a changed password
    // or a deleted account takes effect on the next request, not after replication lag.
    const row = await c.env.DB.prepare(LOAD_USER_SQL).bind(claims.userId).first<CurrentUser & { token_version: number }>();
    if (!row || row.token_version !== claims.version) throw unauthorized('The access token is invalid or expired');
    const { token_version: _version, ...user } = row;
    c.set('user', user);
  } else {
    const doc = answeringRouteDoc(c);
    // No mark at all means no route answers: the 404 handler does.
    if (doc && !doc.public) throw unauthorized('Missing Authorization header');
  }
  await next();
});

/** The verified token's subject, on a route marked `userCheck: 'in-batch'` (whose batch checks it is current). */
export function tokenSubject(c: { get(key: 'subject'): TokenSubject | null }): TokenSubject {
  const subject = c.get('subject');
  if (!subject) throw unauthorized();
  return subject;
}

/** SQL: the user (an id expression) still exists with this token version (an expression): the token is current. */
export const currentTokenSql = (user: string, version: string) =>
  `EXISTS (SELECT 1 FROM users token_user WHERE token_user.id = ${user} AND token_user.token_version = ${version})`;

/** For the refusal path of an `in-batch` route: 401, as the middleware would have answered, if the token is stale. */
export async function assertTokenCurrent(d1: D1Database, subject: TokenSubject) {
  const row = await d1.prepare(LOAD_USER_SQL).bind(subject.id).first<{ token_version: number }>();
  if (!row || row.token_version !== subject.version) throw unauthorized('The access token is invalid or expired');
}

/** Lets the request through only for the listed roles. */
export function requireRole(...roles: Role[]) {
  return factory.createMiddleware(async (c, next) => {
    const user = c.get('user');
    if (!user) throw unauthorized();
    if (!roles.includes(user.role)) throw new ApiError('forbidden', `This needs the ${roles.join(' or ')} role`);
    await next();
  });
}

/** The authenticated caller, for handlers behind `authenticate` on a non-public route. */
export function currentUser(c: { get(key: 'user'): CurrentUser | null }): CurrentUser {
  const user = c.get('user');
  if (!user) throw unauthorized();
  return user;
}
