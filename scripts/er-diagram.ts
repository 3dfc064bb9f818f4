// `npm run docs:er`: writes the Mermaid ER diagram of the Drizzle schema into README.md between the
// `<!-- er-diagram -->` markers, so the diagram is generated from the same source as the migrations.
import { readFileSync, writeFileSync } from 'node:fs';
import { getTableConfig, SQLiteTable } from 'drizzle-orm/sqlite-core';
import * as schema from '../src/db/schema';

const START = '<!-- er-diagram:start -->';
const END = '<!-- er-diagram:end -->';

export function erDiagram(): string {
  const tables = (Object.values(schema) as unknown[])
    .filter((value): value is SQLiteTable => value instanceof SQLiteTable)
    .map((table) => getTableConfig(table))
    // Module namespaces enumerate in different orders under tsx and vite: sort for one stable diagram.
    .sort((a, b) => a.name.localeCompare(b.name));
  const lines = ['```mermaid', 'erDiagram'];
  const uniqueColumns = (table: (typeof tables)[number]) =>
    new Set(
      table.indexes
        .filter((i) => i.config.unique && !i.config.where && i.config.columns.length === 1)
        .map((i) => (i.config.columns[0] as { name: string }).name),
    );
  for (const table of tables) {
    const unique = uniqueColumns(table);
    for (const fk of table.foreignKeys) {
      const ref = fk.reference();
      const nullable = ref.columns.some((column) => !column.notNull);
      const many = ref.columns.some((column) => !unique.has(column.name)) ? 'o{' : 'o|';
      lines.push(
        `  ${getTableConfig(ref.foreignTable).name} ||--${many} ${table.name} : "${ref.columns.map((c) => c.name).join(', ')}${nullable ? ' (optional)' : ''}"`,
      );
    }
  }
  for (const table of tables) {
    const unique = uniqueColumns(table);
    const foreign = new Set(table.foreignKeys.flatMap((fk) => fk.reference().columns.map((c) => c.name)));
    const primary = new Set([
      ...table.columns.filter((c) => c.primary).map((c) => c.name),
      ...table.primaryKeys.flatMap((pk) => pk.columns.map((c) => c.name)),
    ]);
    lines.push(`  ${table.name} {`);
    for (const column of table.columns) {
      const keys = [primary.has(column.name) && 'PK', foreign.has(column.name) && 'FK', unique.has(column.name) && 'UK']
        .filter(Boolean)
        .join(',');
      lines.push(`    ${column.getSQLType().replace(/\s+/g, '_')} ${column.name}${keys ? ` ${keys}` : ''}`);
    }
    lines.push('  }');
  }
  lines.push('```');
  return lines.join('\n');
}

export function readmeWithDiagram(readme: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md needs the markers ${START} and ${END}`);
  return `${readme.slice(0, start + START.length)}\n${erDiagram()}\n${readme.slice(end)}`;
}

if (process.argv[1]?.endsWith('er-diagram.ts')) {
  writeFileSync('README.md', readmeWithDiagram(readFileSync('README.md', 'utf8')));
  console.log('README.md: ER diagram updated');
}
