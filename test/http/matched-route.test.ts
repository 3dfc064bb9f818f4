import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from '../../src/env';
import { authenticate } from '../../src/http/auth';
import { onError } from '../../src/http/error-handler';
import { answeringRouteDoc } from '../../src/http/matched-route';
import { describeRoute } from '../../src/http/route-marks';

/** A static route registered before a public `:id` route answers its own path, so it keeps its own marks. */
function app() {
  const app = new Hono<AppEnv>();
  app.onError(onError);
  app.use(async (c, next) => {
    c.set('requestId', 'test');
    await next();
  });
  app.use(authenticate);
  const answer = (c: Parameters<typeof answeringRouteDoc>[0]) => c.json({ summary: answeringRouteDoc(c)?.summary });
  app.get('/things/mine', describeRoute({ summary: 'mine', tags: [], responses: {} }), answer);
  app.get('/things/:id', describeRoute({ summary: 'one', tags: [], public: true, responses: {} }), answer);
  return app;
}

describe('the answering route', () => {
  it('is the first registered match, as Hono runs them', async () => {
    const res = await app().request('/things/7');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ summary: 'one' });
  });

  it('so a protected static route is not made public by a public :id route after it', async () => {
    const res = await app().request('/things/mine');
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: 'unauthorized' });
  });
});
