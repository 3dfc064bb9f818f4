import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { loginAs, registerAndLogin } from '../support/api';
import { uniqueCrmId } from '../support/fixtures';
import { call, expectError } from '../support/http';

let admin: string;
let member: string;

beforeAll(async () => {
  admin = (await loginAs('admin')).token;
  member = (await loginAs('member')).token;
});

const roleOf = async (userId: number) =>
  (await env.DB.prepare('SELECT role FROM users WHERE id = ?').bind(userId).first<{ role: string }>())!.role;

describe('POST /facilitators', () => {
  it('an admin creates one; user_id links the account, which becomes a facilitator at once', async () => {
    const person = await registerAndLogin('Nisha Rao');
    const crmId = uniqueCrmId();
    const res = await call('POST', '/facilitators', {
      token: admin,
      body: { name: ' Nisha Rao ', crm_id: crmId, bio: 'Sound healing', user_id: person.user.id, role: 'admin', id: 1 },
    });
    expect(res.status).toBe(201);
    expect(res.json.facilitator).toEqual({
      id: expect.any(Number),
      name: 'Nisha Rao',
      bio: 'Sound healing',
      crm_id: crmId,
      user_id: person.user.id,
    });
    expect(await roleOf(person.user.id)).toBe('facilitator');
    // The same access token now acts as a facilitator (the role is read from the database on every request).
    const event = await call('POST', '/events', {
      token: person.token,
      body: { title: 'Gong bath', type: 'Sound', starts_at: '2030-05-01T10:00:00Z' },
    });
    expect(event.status).toBe(201);
    expect(event.json.event.facilitator_id).toBe(res.json.facilitator.id);
  });

  it('without user_id no account changes; bio is optional', async () => {
    const res = await call('POST', '/facilitators', { token: admin, body: { name: 'Solo', crm_id: uniqueCrmId() } });
    expect(res.status).toBe(201);
    expect(res.json.facilitator).toMatchObject({ bio: null, user_id: null });
  });

  it('a duplicate crm_id is 409 crm_id_taken; an account already linked is 409 user_already_facilitator', async () => {
    const crmId = uniqueCrmId();
    const person = await registerAndLogin();
    expect(
      (await call('POST', '/facilitators', { token: admin, body: { name: 'A', crm_id: crmId, user_id: person.user.id } })).status,
    ).toBe(201);
    expectError(await call('POST', '/facilitators', { token: admin, body: { name: 'B', crm_id: crmId } }), 409, 'crm_id_taken');
    expectError(
      await call('POST', '/facilitators', { token: admin, body: { name: 'C', crm_id: uniqueCrmId(), user_id: person.user.id } }),
      409,
      'user_already_facilitator',
    );
  });

  it('an unknown user_id is 422 user_not_found and creates nothing', async () => {
    const crmId = uniqueCrmId();
    expectError(
      await call('POST', '/facilitators', { token: admin, body: { name: 'Ghost', crm_id: crmId, user_id: 99_999_999 } }),
      422,
      'user_not_found',
    );
    const row = await env.DB.prepare('SELECT count(*) AS n FROM facilitators WHERE crm_id = ?')
      .bind(crmId)
      .first<{ n: number }>();
    expect(row!.n).toBe(0);
  });

  it('an admin linked to a facilitator stays admin', async () => {
    const other = await loginAs('admin');
    await call('POST', '/facilitators', {
      token: admin,
      body: { name: 'Admin Teacher', crm_id: uniqueCrmId(), user_id: other.user.id },
    });
    expect(await roleOf(other.user.id)).toBe('admin');
  });

  it('members and facilitators are 403; bad bodies are 400', async () => {
    expectError(
      await call('POST', '/facilitators', { token: member, body: { name: 'X', crm_id: uniqueCrmId() } }),
      403,
      'forbidden',
    );
    for (const body of [{ crm_id: 'x' }, { name: '', crm_id: 'x' }, { name: 'X' }, { name: 'X', crm_id: 'x', user_id: '5' }]) {
      expectError(await call('POST', '/facilitators', { token: admin, body }), 400, 'validation_failed');
    }
  });
});

describe('GET /facilitators', () => {
  it('is public: names and bios for everyone, crm_id and user_id only for admins', async () => {
    const crmId = uniqueCrmId();
    const created = await call('POST', '/facilitators', {
      token: admin,
      body: { name: 'Public Face', crm_id: crmId, bio: 'Hi' },
    });
    const id = created.json.facilitator.id;
    const anonymous = await call('GET', '/facilitators');
    expect(anonymous.status).toBe(200);
    expect(anonymous.json.facilitators.find((f: { id: number }) => f.id === id)).toEqual({ id, name: 'Public Face', bio: 'Hi' });
    expect(anonymous.text).not.toContain(crmId);
    expect((await call('GET', '/facilitators', { token: member })).text).not.toContain(crmId);
    const forAdmin = await call('GET', '/facilitators', { token: admin });
    expect(forAdmin.json.facilitators.find((f: { id: number }) => f.id === id)).toMatchObject({ crm_id: crmId });

    expect((await call('GET', `/facilitators/${id}`)).json).toEqual({ facilitator: { id, name: 'Public Face', bio: 'Hi' } });
    expect((await call('GET', `/facilitators/${id}`, { token: admin })).json.facilitator.crm_id).toBe(crmId);
    expectError(await call('GET', '/facilitators/99999999'), 404, 'not_found');
  });
});

describe('PATCH /facilitators/:id', () => {
  it('changes only the fields given; moving the link promotes the new account and demotes the old one', async () => {
    const first = await registerAndLogin();
    const second = await registerAndLogin();
    const created = await call('POST', '/facilitators', {
      token: admin,
      body: { name: 'Mover', crm_id: uniqueCrmId(), bio: 'Old', user_id: first.user.id },
    });
    const id = created.json.facilitator.id;
    const renamed = await call('PATCH', `/facilitators/${id}`, { token: admin, body: { bio: null } });
    expect(renamed.json.facilitator).toMatchObject({ name: 'Mover', bio: null, user_id: first.user.id });

    const moved = await call('PATCH', `/facilitators/${id}`, { token: admin, body: { user_id: second.user.id } });
    expect(moved.status).toBe(200);
    expect(moved.json.facilitator.user_id).toBe(second.user.id);
    expect([await roleOf(first.user.id), await roleOf(second.user.id)]).toEqual(['member', 'facilitator']);

    await call('PATCH', `/facilitators/${id}`, { token: admin, body: { user_id: null } });
    expect(await roleOf(second.user.id)).toBe('member');
  });

  it('a crm_id taken by another is 409; an unknown facilitator 404; a member 403', async () => {
    const taken = uniqueCrmId();
    await call('POST', '/facilitators', { token: admin, body: { name: 'Holder', crm_id: taken } });
    const other = await call('POST', '/facilitators', { token: admin, body: { name: 'Other', crm_id: uniqueCrmId() } });
    expectError(
      await call('PATCH', `/facilitators/${other.json.facilitator.id}`, { token: admin, body: { crm_id: taken } }),
      409,
      'crm_id_taken',
    );
    expectError(await call('PATCH', '/facilitators/99999999', { token: admin, body: { name: 'X' } }), 404, 'not_found');
    expectError(
      await call('PATCH', `/facilitators/${other.json.facilitator.id}`, { token: member, body: { name: 'X' } }),
      403,
      'forbidden',
    );
  });
});
