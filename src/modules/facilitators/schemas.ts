import { z } from 'zod';

const fields = {
  name: z.string().trim().min(1, 'Name must not be empty').max(100),
  crm_id: z.string().trim().min(1, 'crm_id must not be empty').max(64).describe('The facilitator’s id in the CRM; unique'),
  bio: z.string().trim().max(2000).nullable(),
  user_id: z
    .number()
    .int()
    .positive()
    .nullable()
    .describe('Links an account, which becomes a facilitator; null unlinks it (it becomes a member again)'),
};

export const createFacilitatorBody = z.object(fields).partial({ bio: true, user_id: true }).meta({ id: 'FacilitatorCreate' });
export const updateFacilitatorBody = z.object(fields).partial().meta({ id: 'FacilitatorUpdate' });

export type NewFacilitator = z.output<typeof createFacilitatorBody>;
export type FacilitatorChanges = z.output<typeof updateFacilitatorBody>;

export const facilitatorSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    bio: z.string().nullable(),
    crm_id: z.string().optional().describe('Admins only'),
    user_id: z.number().int().nullable().optional().describe('Admins only'),
  })
  .meta({ id: 'Facilitator' });
