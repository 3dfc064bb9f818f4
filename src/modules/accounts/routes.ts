import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { users } from '../../db/schema';
import { currentUser } from '../../http/auth';
import { clientAddress } from '../../http/client-address';
import { ApiError } from '../../http/errors';
import { createRouter } from '../../http/factory';
import { describeRoute } from '../../http/route-marks';
import { validate } from '../../http/validate';
import { paymentSettings } from '../payments/settings';
import { changePassword } from './credentials';
import { deleteAccount } from './deletion';
import { exportAccount } from './export';
import { userJson } from './read-model';
import { registerUser } from './register';
import { requestPasswordReset, resetPassword, resetSettings } from './reset';
import {
  accountExportSchema,
  changePasswordBody,
  deleteAccountBody,
  forgotPasswordBody,
  loginBody,
  passwordChangedAnswer,
  passwordResetAnswer,
  refreshBody,
  registerBody,
  resetPasswordBody,
  resetRequestedAnswer,
  sessionSchema,
  userSchema,
} from './schemas';
import { login, refreshSession, revokeRefreshFamily, sessionSettings } from './sessions';

export const accountRoutes = createRouter()
  .post(
    '/register',
    describeRoute({
      summary: 'Create a member account',
      tags: ['Accounts'],
      public: true,
      rateLimit: 'address',
      responses: {
        201: { description: 'Registered', schema: z.object({ msg: z.literal('Registration successful'), user: userSchema }) },
      },
      errors: ['email_taken'],
    }),
    validate('json', registerBody),
    async (c) => {
      const user = await registerUser(c.get('db'), c.req.valid('json'));
      return c.json({ msg: 'Registration successful' as const, user: userJson(user) }, 201);
    },
  )
  .post(
    '/login',
    describeRoute({
      summary: 'Log in; returns an access token and a refresh token',
      description:
        'A wrong email and a wrong password get the same 401. Failed logins are limited per email and client address ' +
        'together (429), and all attempts per client address.',
      tags: ['Accounts'],
      public: true,
      rateLimit: 'address',
      responses: { 200: { description: 'Logged in', schema: sessionSchema } },
      errors: ['unauthorized', 'rate_limited'],
    }),
    validate('json', loginBody),
    async (c) => c.json(await login(c.get('db'), sessionSettings(c.env), c.req.valid('json'), clientAddress(c))),
  )
  .post(
    '/token/refresh',
    describeRoute({
      summary: 'Rotate a refresh token for a new session',
      description:
        'An unknown, expired, revoked or already used refresh token is 401. A login’s refresh tokens end ' +
        'REFRESH_TOKEN_TTL_SECONDS after the login, however often they are rotated.',
      tags: ['Accounts'],
      public: true,
      rateLimit: 'address',
      responses: { 200: { description: 'New session; the presented refresh token stops working', schema: sessionSchema } },
      errors: ['unauthorized'],
    }),
    validate('json', refreshBody),
    async (c) => c.json(await refreshSession(c.get('db'), sessionSettings(c.env), c.req.valid('json').refresh_token)),
  )
  .post(
    '/logout',
    describeRoute({
      summary: 'Revoke a refresh token and every other token of its login (the whole family)',
      tags: ['Accounts'],
      responses: { 204: { description: 'Revoked (also when it was already revoked)' } },
    }),
    validate('json', refreshBody),
    async (c) => {
      await revokeRefreshFamily(c.get('db'), currentUser(c).id, c.req.valid('json').refresh_token);
      return c.body(null, 204);
    },
  )
  .get(
    '/me',
    describeRoute({
      summary: "The caller's account",
      tags: ['Accounts'],
      responses: { 200: { description: 'The user', schema: z.object({ user: userSchema }) } },
      errors: ['not_found'],
    }),
    async (c) => {
      const user = await c.get('db').query.users.findFirst({ where: eq(users.id, currentUser(c).id) });
      if (!user) throw new ApiError('not_found', 'User not found');
      return c.json({ user: userJson(user) });
    },
  )
  .post(
    '/password/change',
    describeRoute({
      summary: "Change the caller's password",
      description: 'Every refresh token of the account is revoked and every access token issued before is refused (401).',
      tags: ['Accounts'],
      rateLimit: 'user',
      responses: { 200: { description: 'Changed', schema: passwordChangedAnswer } },
      errors: ['invalid_password'],
    }),
    validate('json', changePasswordBody),
    async (c) => {
      await changePassword(c.get('db'), currentUser(c).id, c.req.valid('json'));
      return c.json({ msg: 'Password changed' as const });
    },
  )
  .post(
    '/password/forgot',
    describeRoute({
      summary: 'Email a password reset link (single use, valid 30 minutes)',
      description:
        'The same 202 whether or not the account exists. At most 3 emails an hour per account; more requests are ' +
        'answered the same and send nothing.',
      tags: ['Accounts'],
      public: true,
      rateLimit: 'address',
      responses: { 202: { description: 'Accepted', schema: resetRequestedAnswer } },
    }),
    validate('json', forgotPasswordBody),
    async (c) => {
      const { email } = c.req.valid('json');
      await requestPasswordReset(c.get('db'), c.env.JOBS_QUEUE, resetSettings(c.env), email, new Date());
      return c.json({ msg: 'If that account exists, a reset link is on its way' as const }, 202);
    },
  )
  .post(
    '/password/reset',
    describeRoute({
      summary: 'Set a new password with the token from the reset email',
      description: 'Every refresh token of the account is revoked and every access token issued before is refused (401).',
      tags: ['Accounts'],
      public: true,
      rateLimit: 'address',
      responses: { 200: { description: 'Reset', schema: passwordResetAnswer } },
      errors: ['invalid_token'],
    }),
    validate('json', resetPasswordBody),
    async (c) => {
      await resetPassword(c.get('db'), c.req.valid('json'), new Date());
      return c.json({ msg: 'Password reset' as const });
    },
  )
  .get(
    '/me/export',
    describeRoute({
      summary: "Every piece of the caller's data",
      description: 'Includes the caller’s passes (member_passes) and every credit change of them (ledger).',
      tags: ['Accounts'],
      responses: { 200: { description: 'The export', schema: accountExportSchema } },
      errors: ['not_found'],
    }),
    async (c) => c.json(await exportAccount(c.get('db'), currentUser(c).id)),
  )
  .delete(
    '/me',
    describeRoute({
      summary: "Delete the caller's account",
      description:
        'Bookings of events not yet started are cancelled (paid ones refunded in full); every token is revoked; the ' +
        'account is anonymised (name "Deleted user", email deleted-<id>@invalid, no password) and its email can ' +
        'register again. Booking rows stay for the organisers.',
      tags: ['Accounts'],
      rateLimit: 'user',
      responses: { 204: { description: 'Deleted' } },
      errors: ['invalid_password'],
    }),
    validate('json', deleteAccountBody),
    async (c) => {
      await deleteAccount(c.get('db'), c.env.CRM_QUEUE, paymentSettings(c.env), currentUser(c), c.req.valid('json').password);
      return c.body(null, 204);
    },
  );
