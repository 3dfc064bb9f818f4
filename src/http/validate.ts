import { zValidator } from '@hono/zod-validator';
import type { Context } from 'hono';
import type { AppEnv } from '../env';
import type { ZodType } from 'zod';
import { assertTokenCurrent } from './auth';
import { validationFailed, type Issue } from './errors';
import { ROUTE_VALIDATION, type RouteValidation } from './route-marks';

/**
 * zod validation at the edge of every route. A failed check throws the contract's `validation_failed` error
 * with one `{ path, message }` per problem, so handlers only ever see valid, typed input. The middleware is
 * marked with its schema, which the OpenAPI document is generated from.
 */
export function validate<Target extends RouteValidation['target'], Schema extends ZodType>(
  target: Target,
  schema: Schema,
  options: { optional?: boolean } = {},
) {
  const middleware = zValidator(target, schema, async (result, context) => {
    if (!result.success) {
      const c = context as unknown as Context<AppEnv>;
      // A stale token is 401 before anything else, also on a route whose batch checks it (userCheck: 'in-batch').
      const subject = c.get('subject');
      if (subject && !c.get('user')) await assertTokenCurrent(c.env.DB, subject);
      const issues: Issue[] = result.error.issues.map((issue) => ({
        path: issue.path.map(String).join('.') || target,
        message: issue.message,
      }));
      throw validationFailed(issues);
    }
  });
  const mark: RouteValidation = { target, schema, ...(options.optional ? { optional: true } : {}) };
  return Object.assign(middleware, { [ROUTE_VALIDATION]: mark });
}
