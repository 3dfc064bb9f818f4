import { z } from 'zod';
import { decodeCursor, MAX_PAGE_SIZE, pageOf, pageQuery } from '../../http/page';
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
      description: 'By id, 100 a page by default (limit 1 to 100); next_cursor gets the next page, null on the last.',
      responses: {
        200: {
          description: 'One page of facilitators, by id',
          schema: z.object({ facilitators: z.array(facilitatorSchema), next_cursor: z.string().nullable() }),
        },
      },
    }),
    validate('query', pageQuery),
    async (c) => {
      const admin = c.get('user')?.role === 'admin';
      const { limit = MAX_PAGE_SIZE, cursor } = c.req.valid('query');
      const afterId = cursor === undefined ? undefined : decodeCursor(cursor, 1)[0];
      const { page, nextCursor } = pageOf(await listFacilitators(c.get('db'), { limit, afterId }), limit, (row) => [row.id]);
      return c.json({ facilitators: page.map((row) => facilitatorJson(row, admin)), next_cursor: nextCursor });
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
      const row = await findFacilitator(c.get('db'), c.req.valid('param').id);
      return c.json({ facilitator: facilitatorJson(row, c.get('user')?.role === 'admin') });
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
      const row = await createFacilitator(c.get('db'), c.req.valid('json'));
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
      const row = await updateFacilitator(c.get('db'), c.req.valid('param').id, c.req.valid('json'));
      return c.json({ facilitator: facilitatorJson(row, true) });
    },
  );
