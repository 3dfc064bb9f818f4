import { z } from 'zod';

const email = z
  .string()
  .trim()
  .min(3)
  .max(254)
  .pipe(z.email({ message: 'Must be a valid email address' }));

export const registerBody = z.object({
  name: z.string().trim().min(1, 'Name must not be empty').max(100),
  email,
  password: z.string().min(8, 'Password must be at least 8 characters').max(128, 'Password must be at most 128 characters'),
});

export const loginBody = z.object({
  email,
  password: z.string().min(1, 'Password must not be empty').max(128),
});

export const refreshBody = z.object({
  refresh_token: z.string().min(1).max(256),
});

export const userSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    email: z.string(),
    role: z.enum(['member', 'facilitator', 'admin']),
    created_at: z.string(),
  })
  .meta({ id: 'User' });

export const sessionSchema = z
  .object({
    access_token: z.string(),
    token_type: z.literal('Bearer'),
    expires_in: z.number().int(),
    refresh_token: z.string(),
    user: userSchema,
  })
  .meta({ id: 'Session' });
