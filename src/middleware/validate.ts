import { zValidator } from '@hono/zod-validator';
import type { ValidationTargets } from 'hono';
import type { ZodType } from 'zod';
import { validationFailed, type Issue } from '../errors';

/**
 * zod validation at the edge of every route. A failed check throws the contract's `validation_failed` error
 * with one `{ path, message }` per problem, so handlers only ever see valid, typed input.
 */
export function validate<Target extends keyof ValidationTargets, Schema extends ZodType>(target: Target, schema: Schema) {
  return zValidator(target, schema, (result) => {
    if (!result.success) {
      const issues: Issue[] = result.error.issues.map((issue) => ({
        path: issue.path.map(String).join('.') || target,
        message: issue.message,
      }));
      throw validationFailed(issues);
    }
  });
}
