import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildCollection, uncoveredOperations } from '../../scripts/postman/collection';
import { buildEnvironment } from '../../scripts/postman/environment';

describe('the committed Postman collection', () => {
  it('has a request for every operation of the OpenAPI document', () => {
    expect(uncoveredOperations()).toEqual([]);
  });

  it('is the one generated from the document and the flows (run `npm run postman:build` after changing either)', () => {
    const committed = JSON.parse(readFileSync('Ahoum_Booking_API.postman_collection.json', 'utf8'));
    expect(committed).toEqual(JSON.parse(JSON.stringify(buildCollection())));
    const environment = JSON.parse(readFileSync('Ahoum_Booking_API.postman_environment.json', 'utf8'));
    expect(environment).toEqual(buildEnvironment());
  });

  it('carries no hard-coded token and every request has a URL', () => {
    const text = readFileSync('Ahoum_Booking_API.postman_collection.json', 'utf8');
    expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\./);
    const requests = buildCollection().item.flatMap((folder) => folder.item);
    for (const item of requests) expect(item.request.url.raw, item.name).toMatch(/^\{\{baseUrl\}\}\//);
  });
});
