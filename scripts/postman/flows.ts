// The hand-kept layer of the Postman collection: the order of requests, what they send, what they capture and
// the checks beyond status and documented keys. Every operation of the OpenAPI document must appear here
// (a node test fails otherwise). Variables: {{baseUrl}} and the demo credentials come from the environment file;
// tokens and ids are captured into collection variables as the flows run.

export interface Step {
  name: string;
  /** The operation, exactly as routed: "METHOD /path/:param". */
  op: string;
  /** The concrete path with {{variables}} and an optional query string; defaults to the operation's path. */
  path?: string;
  /** Collection/environment variable holding the bearer token; none means no Authorization header. */
  auth?: string;
  body?: unknown;
  headers?: Record<string, string>;
  status: number;
  /** For error steps: the expected stable error code. */
  code?: string;
  checks?: Array<{ label: string; assert: string }>;
  capture?: Record<string, string>;
}

export interface Folder {
  name: string;
  steps: Step[];
}

const memberEmail = 'member-{{runId}}@example.com';

export const FLOWS: Folder[] = [
  {
    name: 'Operations',
    steps: [
      {
        name: 'Health',
        op: 'GET /health',
        status: 200,
        checks: [{ label: 'status ok', assert: "pm.expect(json.status).to.eql('ok');" }],
      },
      {
        name: 'OpenAPI document',
        op: 'GET /openapi.json',
        status: 200,
        checks: [{ label: 'is OpenAPI 3.1', assert: "pm.expect(json.openapi).to.eql('3.1.0');" }],
      },
      {
        name: 'API reference page',
        op: 'GET /docs',
        status: 200,
        checks: [
          { label: 'is HTML loading Swagger UI', assert: "pm.expect(pm.response.text()).to.include('swagger-ui-bundle.js');" },
        ],
      },
    ],
  },
  {
    name: 'Accounts',
    steps: [
      {
        name: 'Register a member',
        op: 'POST /register',
        body: { name: 'Postman Member', email: memberEmail, password: 'postman-password-1' },
        status: 201,
        checks: [
          { label: 'message', assert: "pm.expect(json.msg).to.eql('Registration successful');" },
          { label: 'role is member', assert: "pm.expect(json.user.role).to.eql('member');" },
        ],
      },
      {
        name: 'Register the same email again is 409',
        op: 'POST /register',
        body: { name: 'Postman Member', email: 'MEMBER-{{runId}}@example.com', password: 'postman-password-1' },
        status: 409,
        code: 'email_taken',
      },
      {
        name: 'Register with a short password is 400',
        op: 'POST /register',
        body: { name: 'X', email: 'x-{{runId}}@example.com', password: 'short' },
        status: 400,
        code: 'validation_failed',
        checks: [{ label: 'issue names the field', assert: "pm.expect(json.issues.map(i => i.path)).to.include('password');" }],
      },
      {
        name: 'Log in as the member',
        op: 'POST /login',
        body: { email: memberEmail, password: 'postman-password-1' },
        status: 200,
        checks: [{ label: 'bearer token', assert: "pm.expect(json.token_type).to.eql('Bearer');" }],
        capture: { memberToken: 'json.access_token', memberRefreshToken: 'json.refresh_token', memberId: 'json.user.id' },
      },
      {
        name: 'Log in as the demo admin',
        op: 'POST /login',
        body: { email: '{{adminEmail}}', password: '{{adminPassword}}' },
        status: 200,
        checks: [{ label: 'role is admin', assert: "pm.expect(json.user.role).to.eql('admin');" }],
        capture: { adminToken: 'json.access_token' },
      },
      {
        name: 'Log in as a demo facilitator',
        op: 'POST /login',
        body: { email: '{{facilitatorEmail}}', password: '{{facilitatorPassword}}' },
        status: 200,
        checks: [{ label: 'role is facilitator', assert: "pm.expect(json.user.role).to.eql('facilitator');" }],
        capture: { facilitatorToken: 'json.access_token' },
      },
      {
        name: 'Wrong password is 401',
        op: 'POST /login',
        body: { email: memberEmail, password: 'not-the-password' },
        status: 401,
        code: 'unauthorized',
      },
      {
        name: 'Who am I',
        op: 'GET /me',
        auth: 'memberToken',
        status: 200,
        checks: [
          {
            label: 'same user',
            assert: "pm.expect(String(json.user.id)).to.eql(String(pm.collectionVariables.get('memberId')));",
          },
        ],
      },
      { name: 'Who am I without a token is 401', op: 'GET /me', status: 401, code: 'unauthorized' },
      {
        name: 'Rotate the refresh token',
        op: 'POST /token/refresh',
        body: { refresh_token: '{{memberRefreshToken}}' },
        status: 200,
        capture: {
          memberToken: 'json.access_token',
          oldRefreshToken: "pm.collectionVariables.get('memberRefreshToken')",
          memberRefreshToken: 'json.refresh_token',
        },
      },
      {
        name: 'The rotated-away refresh token is refused',
        op: 'POST /token/refresh',
        body: { refresh_token: '{{oldRefreshToken}}' },
        status: 401,
        code: 'unauthorized',
      },
    ],
  },
  // Last, so the member's session stays usable for every flow before it.
  {
    name: 'Sign out',
    steps: [
      {
        name: 'Log out',
        op: 'POST /logout',
        auth: 'memberToken',
        body: { refresh_token: '{{memberRefreshToken}}' },
        status: 204,
      },
      {
        name: 'The logged-out refresh token is refused',
        op: 'POST /token/refresh',
        body: { refresh_token: '{{memberRefreshToken}}' },
        status: 401,
        code: 'unauthorized',
      },
    ],
  },
];
