import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { app } from '../../src/app';
import { buildOpenApiDocument } from '../../src/http/openapi';

describe('the OpenAPI document', () => {
  it('is valid OpenAPI 3.1 according to the official schema', async () => {
    const document = buildOpenApiDocument(app, { version: 'test' });
    const validator = new Validator();
    const result = await validator.validate(structuredClone(document));
    expect(validator.version).toBe('3.1');
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('resolves every $ref it uses', async () => {
    const document = buildOpenApiDocument(app, { version: 'test' });
    const refs = [...JSON.stringify(document).matchAll(/"\$ref":"([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of new Set(refs)) {
      const name = ref.replace('#/components/schemas/', '');
      expect(ref.startsWith('#/components/schemas/'), ref).toBe(true);
      expect(document.components.schemas, ref).toHaveProperty([name]);
    }
  });
});
