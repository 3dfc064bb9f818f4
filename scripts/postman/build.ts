// `npm run postman:build`: writes the Postman collection and environment at the repository root.
import { writeFileSync } from 'node:fs';
import { buildCollection, uncoveredOperations } from './collection';
import { buildEnvironment } from './environment';

const missing = uncoveredOperations();
if (missing.length) {
  console.error(`These operations have no step in scripts/postman/flows.ts:\n  ${missing.join('\n  ')}`);
  process.exit(1);
}
writeFileSync('Ahoum_Booking_API.postman_collection.json', `${JSON.stringify(buildCollection(), null, 2)}\n`);
writeFileSync('Ahoum_Booking_API.postman_environment.json', `${JSON.stringify(buildEnvironment(), null, 2)}\n`);
console.log('Wrote Ahoum_Booking_API.postman_collection.json and Ahoum_Booking_API.postman_environment.json');
