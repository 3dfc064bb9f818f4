/** D1 surfaces SQLite constraint failures as plain Errors; these read their messages. */
export function messageOf(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  while (current instanceof Error && parts.length < 5) {
    parts.push(current.message);
    current = current.cause;
  }
  return parts.join(' | ');
}

export function isUniqueViolation(error: unknown): boolean {
  return /UNIQUE constraint failed|SQLITE_CONSTRAINT_(UNIQUE|PRIMARYKEY)/i.test(messageOf(error));
}

/** A unique violation on this `table.column` (SQLite names the columns in its message). */
export function isUniqueViolationOn(error: unknown, column: string): boolean {
  return isUniqueViolation(error) && messageOf(error).includes(column);
}

export function isCheckViolation(error: unknown): boolean {
  return /CHECK constraint failed/i.test(messageOf(error));
}

export function isForeignKeyViolation(error: unknown): boolean {
  return /FOREIGN KEY constraint failed/i.test(messageOf(error));
}
