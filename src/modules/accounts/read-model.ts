import type { UserRow } from '../../db/schema';

export interface UserJson {
  id: number;
  name: string;
  email: string;
  role: UserRow['role'];
  created_at: string;
}

export function userJson(user: Pick<UserRow, 'id' | 'name' | 'email' | 'role' | 'createdAt'>): UserJson {
  return { id: user.id, name: user.name, email: user.email, role: user.role, created_at: user.createdAt.toISOString() };
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}
