import { z } from 'zod';
import { requireRole } from '../../http/auth';
import { createRouter } from '../../http/factory';
import { validate } from '../../http/validate';
import { describeRoute } from '../../http/route-marks';
import { createFacilitatorBody, facilitatorSchema, updateFacilitatorBody } from './schemas';
import { idParam } from '../../http/params';
import { createFacilitator, updateFacilitator } from './manage';
import { facilitatorJson, findFacilitator, listFacilitators } from './read-model';

const one = z.object({ facilitator: facilitatorSchema });

/** Anyone reads names and bios; only admins see crm_id and user_id, and only admins write. */
export const facilitatorRoutes = createRouter()
  .get(
    '/facilitators',
    describeRoute({
      summary: 'List facilitators',
      tags: ['Facilitators'],
      public: true,
      cache: {},
      responses: {
        200: { description: 'All facilitators, by id', schema: z.object({ facilitators: z.array(facilitatorSchema) }) },
      },
    }),
    async (c) => {
      const admin = c.var.user?.role === 'admin';
      const rows = await listFacilitators(c.var.db);
      return c.json({ facilitators: rows.map((row) => facilitatorJson(row, admin)) });
    },
  )
  .get(
    '/facilitators/:id',
    describeRoute({
      summary: 'One facilitator',
      tags: ['Facilitators'],
      public: true,
      cache: {},
      responses: { 200: { description: 'The facilitator', schema: one } },
      errors: ['not_found'],
    }),
    validate('param', idParam),
    async (c) => {
      const row = await findFacilitator(c.var.db, c.req.valid('param').id);
      return c.json({ facilitator: facilitatorJson(row, c.var.user?.role === 'admin') });
    },
  )
  .post(
    '/facilitators',
    describeRoute({
      summary: 'Create a facilitator (admin); user_id links an account, which becomes a facilitator',
      tags: ['Facilitators'],
      responses: { 201: { description: 'Created', schema: one } },
      errors: ['forbidden', 'crm_id_taken', 'user_already_facilitator', 'user_not_found'],
    }),
    requireRole('admin'),
    validate('json', createFacilitatorBody),
    async (c) => {
      const row = await createFacilitator(c.var.db, c.req.valid('json'));
      return c.json({ facilitator: facilitatorJson(row, true) }, 201);
    },
  )
  .patch(
    '/facilitators/:id',
    describeRoute({
      summary: 'Update a facilitator (admin); a new user_id moves the link, the old account becomes a member',
      tags: ['Facilitators'],
      responses: { 200: { description: 'Updated', schema: one } },
      errors: ['forbidden', 'not_found', 'crm_id_taken', 'user_already_facilitator', 'user_not_found'],
    }),
    requireRole('admin'),
    validate('param', idParam),
    validate('json', updateFacilitatorBody),
    async (c) => {
      const row = await updateFacilitator(c.var.db, c.req.valid('param').id, c.req.valid('json'));
      return c.json({ facilitator: facilitatorJson(row, true) });
    },
  );
