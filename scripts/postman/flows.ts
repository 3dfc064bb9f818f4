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
  /** JSON body; a string value `#{{name}}` is sent unquoted, for numeric variables. */
  body?: unknown;
  headers?: Record<string, string>;
  status: number;
  /** For error steps: the expected stable error code. */
  code?: string;
  checks?: Array<{ label: string; assert: string }>;
  capture?: Record<string, string>;
  /** Pre-request script lines (e.g. to sign a body the way a payment provider does). */
  prerequest?: string[];
}

export interface Folder {
  name: string;
  steps: Step[];
}

const memberEmail = 'member-{{runId}}@example.com';
const leaverEmail = 'leaver-{{runId}}@example.com';

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
  {
    name: 'Geocoding',
    steps: [
      {
        name: 'Geocode a place',
        op: 'POST /geocode',
        auth: 'memberToken',
        body: { location: 'Goa' },
        status: 200,
        checks: [
          {
            label: 'Goa is near 15.3, 74.1',
            assert: 'pm.expect(json.latitude).to.be.closeTo(15.3, 0.5); pm.expect(json.longitude).to.be.closeTo(74.1, 0.5);',
          },
          { label: 'formatted address', assert: "pm.expect(json.formatted_address).to.be.a('string').and.not.empty;" },
        ],
      },
      {
        name: 'Geocode with a trailing slash (the same route)',
        op: 'POST /geocode',
        path: '/geocode/',
        auth: 'memberToken',
        body: { location: 'Rishikesh' },
        status: 200,
        checks: [{ label: 'Rishikesh is near 30.1, 78.3', assert: 'pm.expect(json.latitude).to.be.closeTo(30.1, 0.5);' }],
      },
      {
        name: 'Geocode an unknown place is 422',
        op: 'POST /geocode',
        auth: 'memberToken',
        body: { location: 'Nowhere-{{runId}}' },
        status: 422,
        code: 'location_not_found',
      },
      {
        name: 'Geocode without a token is 401',
        op: 'POST /geocode',
        body: { location: 'Goa' },
        status: 401,
        code: 'unauthorized',
      },
    ],
  },
  {
    name: 'Facilitators',
    steps: [
      {
        name: 'List facilitators',
        op: 'GET /facilitators',
        status: 200,
        checks: [
          {
            label: 'the demo facilitators',
            assert:
              "pm.expect(json.facilitators.map(f => f.name)).to.include.members(['Ananya Sharma', 'Ravi Kumar', 'Meera Joshi']);",
          },
          { label: 'crm_id hidden from the public', assert: "pm.expect(json.facilitators[0]).to.not.have.property('crm_id');" },
        ],
      },
      { name: 'Get facilitator 1', op: 'GET /facilitators/:id', path: '/facilitators/1', status: 200 },
      {
        name: 'Get a missing facilitator is 404',
        op: 'GET /facilitators/:id',
        path: '/facilitators/999999',
        status: 404,
        code: 'not_found',
      },
      {
        name: 'Create a facilitator as a member is 403',
        op: 'POST /facilitators',
        auth: 'memberToken',
        body: { name: 'Not Allowed', crm_id: 'crm-denied-{{runId}}' },
        status: 403,
        code: 'forbidden',
      },
      {
        name: 'Create a facilitator as admin',
        op: 'POST /facilitators',
        auth: 'adminToken',
        body: { name: 'Postman Facilitator', crm_id: 'crm-pm-{{runId}}', bio: 'Created by the Postman flows' },
        status: 201,
        checks: [
          {
            label: 'admins see crm_id',
            assert: "pm.expect(json.facilitator.crm_id).to.eql('crm-pm-' + pm.collectionVariables.get('runId'));",
          },
        ],
        capture: { facilitatorId: 'json.facilitator.id' },
      },
      {
        name: 'Update the facilitator as admin',
        op: 'PATCH /facilitators/:id',
        path: '/facilitators/{{facilitatorId}}',
        auth: 'adminToken',
        body: { bio: 'Updated by the Postman flows' },
        status: 200,
        checks: [{ label: 'bio changed', assert: "pm.expect(json.facilitator.bio).to.eql('Updated by the Postman flows');" }],
      },
    ],
  },
  {
    name: 'Events',
    steps: [
      {
        name: 'List events',
        op: 'GET /events',
        path: '/events?limit=3',
        status: 200,
        checks: [
          { label: 'at most 3', assert: 'pm.expect(json.events.length).to.be.at.most(3);' },
          { label: 'cursor for the next page', assert: "pm.expect(json).to.have.property('next_cursor');" },
        ],
      },
      {
        name: 'List events with a trailing slash (the same route)',
        op: 'GET /events',
        path: '/events/?limit=1',
        status: 200,
        checks: [{ label: 'one page of events', assert: 'pm.expect(json.events.length).to.be.at.most(1);' }],
      },
      {
        name: 'Filter events by type, any case',
        op: 'GET /events',
        path: '/events?type=YOGA',
        status: 200,
        checks: [{ label: 'only yoga', assert: "json.events.forEach(e => pm.expect(e.type.toLowerCase()).to.eql('yoga'));" }],
      },
      {
        name: 'Nearby Delhi (300 km)',
        op: 'GET /events/nearby',
        path: '/events/nearby?lat=28.6139&lng=77.2090&radius=300',
        status: 200,
        checks: [
          {
            label: 'Evening Breathwork first, at 0 km',
            assert: "pm.expect(json.nearby_events[0]).to.include({ title: 'Evening Breathwork', distance_km: 0 });",
          },
          { label: 'then Mindfulness Retreat', assert: "pm.expect(json.nearby_events[1].title).to.eql('Mindfulness Retreat');" },
          { label: 'origin from the query', assert: "pm.expect(json.origin.source).to.eql('query');" },
        ],
      },
      {
        name: 'Nearby with lat 91 is 400',
        op: 'GET /events/nearby',
        path: '/events/nearby?lat=91&lng=0',
        status: 400,
        code: 'validation_failed',
      },
      {
        name: 'Get event 3',
        op: 'GET /events/:id',
        path: '/events/3',
        status: 200,
        checks: [{ label: 'date equals starts_at', assert: 'pm.expect(json.event.date).to.eql(json.event.starts_at);' }],
      },
      { name: 'Get a missing event is 404', op: 'GET /events/:id', path: '/events/999999', status: 404, code: 'not_found' },
      {
        name: 'Create an event as a member is 403',
        op: 'POST /events',
        auth: 'memberToken',
        body: { title: 'Not allowed', type: 'Yoga', starts_at: '{{futureStart}}', location: 'Online' },
        prerequest: ["pm.collectionVariables.set('futureStart', new Date(Date.now() + 10 * 86400000).toISOString());"],
        status: 403,
        code: 'forbidden',
      },
      {
        name: 'Create an event at Goa as admin (geocoded)',
        op: 'POST /events',
        auth: 'adminToken',
        body: {
          title: 'Postman Beach Yoga',
          description: 'Created by the Postman flows',
          type: 'Yoga',
          starts_at: '{{futureStart}}',
          duration_minutes: 90,
          timezone: 'Asia/Kolkata',
          location: 'Goa',
          capacity: 2,
          facilitator_id: '#{{facilitatorId}}',
        },
        status: 201,
        checks: [
          { label: 'message', assert: "pm.expect(json.msg).to.eql('Event created');" },
          {
            label: 'coordinates resolved',
            assert: "pm.expect(json.event.location_status).to.eql('resolved'); pm.expect(json.event.latitude).to.be.a('number');",
          },
        ],
        capture: { eventId: 'json.event.id' },
      },
      {
        name: 'Find it near Goa',
        op: 'GET /events/nearby',
        path: '/events/nearby?lat=15.2993&lng=74.1240&radius=50',
        status: 200,
        checks: [
          {
            label: 'the new event is there',
            assert: "pm.expect(json.nearby_events.map(e => e.id)).to.include(Number(pm.collectionVariables.get('eventId')));",
          },
        ],
      },
      {
        name: 'Update the event (PATCH) as admin',
        op: 'PATCH /events/:id',
        path: '/events/{{eventId}}',
        auth: 'adminToken',
        body: { title: 'Postman Beach Yoga (updated)' },
        status: 200,
        checks: [{ label: 'message', assert: "pm.expect(json.msg).to.eql('Event updated');" }],
      },
      {
        name: 'Another facilitator editing it (PUT) is 403',
        op: 'PUT /events/:id',
        path: '/events/{{eventId}}',
        auth: 'facilitatorToken',
        body: { title: 'Hijacked' },
        status: 403,
        code: 'forbidden',
      },
    ],
  },
  {
    name: 'Bookings',
    steps: [
      {
        name: 'Book the event',
        op: 'POST /book',
        auth: 'memberToken',
        body: { event_id: '#{{eventId}}' },
        headers: { 'Idempotency-Key': 'postman-book-{{runId}}' },
        status: 201,
        checks: [
          { label: 'message', assert: "pm.expect(json.msg).to.eql('Booking successful');" },
          {
            label: 'confirmed, with an id',
            assert: "pm.expect(json.booking.status).to.eql('confirmed'); pm.expect(json.booking.id).to.be.a('number');",
          },
        ],
        capture: { bookingId: 'json.booking.id' },
      },
      {
        name: 'The same Idempotency-Key returns the same booking',
        op: 'POST /book',
        auth: 'memberToken',
        body: { event_id: '#{{eventId}}' },
        headers: { 'Idempotency-Key': 'postman-book-{{runId}}' },
        status: 201,
        checks: [
          {
            label: 'same booking',
            assert: "pm.expect(json.booking.id).to.eql(Number(pm.collectionVariables.get('bookingId')));",
          },
        ],
      },
      {
        name: 'Booking it again is 409',
        op: 'POST /book',
        auth: 'memberToken',
        body: { event_id: '#{{eventId}}' },
        status: 409,
        code: 'already_booked',
      },
      {
        name: 'Booking a paid event is 402',
        op: 'POST /book',
        auth: 'memberToken',
        body: { event_id: 7 },
        status: 402,
        code: 'payment_required',
      },
      {
        name: 'Booking with a string id is 400',
        op: 'POST /book',
        auth: 'memberToken',
        body: { event_id: '1' },
        status: 400,
        code: 'validation_failed',
      },
      {
        name: 'My bookings',
        op: 'GET /my-bookings',
        auth: 'memberToken',
        status: 200,
        checks: [
          {
            label: 'upcoming has the booking',
            assert:
              "pm.expect(json.upcoming_bookings.map(b => b.id)).to.include(Number(pm.collectionVariables.get('bookingId')));",
          },
        ],
      },
      { name: 'Get the booking', op: 'GET /bookings/:id', path: '/bookings/{{bookingId}}', auth: 'memberToken', status: 200 },
      {
        name: "Another user's booking is 403",
        op: 'GET /bookings/:id',
        path: '/bookings/{{bookingId}}',
        auth: 'facilitatorToken',
        status: 403,
        code: 'forbidden',
      },
      {
        name: 'Attendees of the event (admin)',
        op: 'GET /events/:id/bookings',
        path: '/events/{{eventId}}/bookings',
        auth: 'adminToken',
        status: 200,
        checks: [
          {
            label: 'the member is listed',
            assert: "pm.expect(json.bookings.map(b => b.user.id)).to.include(Number(pm.collectionVariables.get('memberId')));",
          },
        ],
      },
      {
        name: 'Cancellation quote before the cut-off',
        op: 'GET /bookings/:id/cancellation-quote',
        path: '/bookings/{{bookingId}}/cancellation-quote',
        auth: 'memberToken',
        status: 200,
        checks: [
          {
            label: 'not late, nothing to refund (free)',
            assert: 'pm.expect(json.late).to.eql(false); pm.expect(json.refund).to.eql(null);',
          },
          {
            label: 'for this booking',
            assert: "pm.expect(String(json.booking_id)).to.eql(String(pm.collectionVariables.get('bookingId')));",
          },
        ],
      },
      {
        name: 'Cancel the booking',
        op: 'DELETE /cancel-booking/:id',
        path: '/cancel-booking/{{bookingId}}',
        auth: 'memberToken',
        status: 200,
        checks: [
          { label: 'message', assert: "pm.expect(json.msg).to.eql('Booking cancelled');" },
          {
            label: 'kept as cancelled',
            assert: "pm.expect(json.booking.status).to.eql('cancelled'); pm.expect(json.booking.cancelled_at).to.be.a('string');",
          },
        ],
      },
      {
        name: 'Cancelling twice is 409',
        op: 'DELETE /cancel-booking/:id',
        path: '/cancel-booking/{{bookingId}}',
        auth: 'memberToken',
        status: 409,
        code: 'booking_already_cancelled',
      },
    ],
  },
  {
    name: 'Attendance',
    steps: [
      {
        name: 'Create an event starting in 30 minutes (admin)',
        op: 'POST /events',
        auth: 'adminToken',
        prerequest: ["pm.collectionVariables.set('soonStart', new Date(Date.now() + 30 * 60000).toISOString());"],
        body: {
          title: 'Postman Door Check-in',
          type: 'Meditation',
          starts_at: '{{soonStart}}',
          duration_minutes: 60,
          location: 'Online',
          capacity: 5,
          facilitator_id: '#{{facilitatorId}}',
        },
        status: 201,
        checks: [{ label: 'default cut-off (12 h)', assert: 'pm.expect(json.event.cancellation_cutoff_hours).to.eql(12);' }],
        capture: { soonEventId: 'json.event.id' },
      },
      {
        name: 'Book it',
        op: 'POST /book',
        auth: 'memberToken',
        body: { event_id: '#{{soonEventId}}' },
        status: 201,
        checks: [{ label: 'has a check-in code', assert: 'pm.expect(json.booking.check_in_code).to.match(/^[0-9a-f]{32}$/);' }],
        capture: { soonBookingId: 'json.booking.id', checkInCode: 'json.booking.check_in_code' },
      },
      {
        name: 'Cancellation quote inside the cut-off is late',
        op: 'GET /bookings/:id/cancellation-quote',
        path: '/bookings/{{soonBookingId}}/cancellation-quote',
        auth: 'memberToken',
        status: 200,
        checks: [{ label: 'late', assert: 'pm.expect(json.late).to.eql(true); pm.expect(json.credit_returned).to.eql(false);' }],
      },
      {
        name: 'The QR code of the check-in code',
        op: 'GET /bookings/:id/qr.svg',
        path: '/bookings/{{soonBookingId}}/qr.svg',
        auth: 'memberToken',
        status: 200,
        checks: [
          { label: 'an SVG image', assert: "pm.expect(pm.response.headers.get('Content-Type')).to.eql('image/svg+xml');" },
          { label: 'an svg element', assert: "pm.expect(pm.response.text()).to.include('<svg');" },
        ],
      },
      {
        name: 'Check in by code (admin)',
        op: 'POST /check-in',
        auth: 'adminToken',
        body: { code: '{{checkInCode}}' },
        status: 200,
        checks: [
          { label: 'message', assert: "pm.expect(json.msg).to.eql('Checked in');" },
          { label: 'attended', assert: "pm.expect(json.booking.attendance).to.eql('attended');" },
        ],
      },
      {
        name: 'A second scan is 409',
        op: 'POST /check-in',
        auth: 'adminToken',
        body: { booking_id: '#{{soonBookingId}}' },
        status: 409,
        code: 'already_checked_in',
      },
      {
        name: 'Check-in by a member is 403',
        op: 'POST /check-in',
        auth: 'memberToken',
        body: { code: '{{checkInCode}}' },
        status: 403,
        code: 'forbidden',
      },
    ],
  },
  {
    name: 'Calendars, webhooks and exports',
    steps: [
      {
        name: 'The event as an iCalendar file',
        op: 'GET /events/:id/calendar.ics',
        path: '/events/{{eventId}}/calendar.ics',
        status: 200,
        checks: [
          { label: 'text/calendar', assert: "pm.expect(pm.response.headers.get('Content-Type')).to.include('text/calendar');" },
          {
            label: 'one VEVENT with a stable UID',
            assert: "pm.expect(pm.response.text()).to.include('UID:event-' + pm.collectionVariables.get('eventId') + '@ahoum');",
          },
        ],
      },
      {
        name: 'A personal calendar feed',
        op: 'POST /me/calendar-feed',
        auth: 'memberToken',
        status: 201,
        checks: [{ label: 'a .ics url', assert: 'pm.expect(json.url).to.match(/\\/calendar\\/[A-Za-z0-9_-]{43}\\.ics$/);' }],
        capture: { feedFile: "json.url.split('/').pop()" },
      },
      {
        name: 'Read the feed without a token',
        op: 'GET /calendar/:file',
        path: '/calendar/{{feedFile}}',
        status: 200,
        checks: [{ label: 'a VCALENDAR', assert: "pm.expect(pm.response.text()).to.include('BEGIN:VCALENDAR');" }],
      },
      {
        name: 'A new feed URL replaces the old one',
        op: 'POST /me/calendar-feed',
        auth: 'memberToken',
        status: 201,
        capture: { newFeedFile: "json.url.split('/').pop()" },
      },
      {
        name: 'The old feed URL is 404',
        op: 'GET /calendar/:file',
        path: '/calendar/{{feedFile}}',
        status: 404,
        code: 'not_found',
      },
      {
        name: 'The roster as CSV (admin)',
        op: 'GET /events/:id/bookings.csv',
        path: '/events/{{eventId}}/bookings.csv',
        auth: 'adminToken',
        status: 200,
        checks: [
          { label: 'text/csv', assert: "pm.expect(pm.response.headers.get('Content-Type')).to.eql('text/csv; charset=utf-8');" },
          { label: 'header row', assert: 'pm.expect(pm.response.text()).to.match(/^booking_id,event_id,event_title,/);' },
        ],
      },
      {
        name: 'Export bookings as CSV (admin)',
        op: 'GET /admin/exports/bookings.csv',
        path: '/admin/exports/bookings.csv?from=2020-01-01T00:00:00Z',
        auth: 'adminToken',
        status: 200,
        checks: [
          {
            label: 'an attachment',
            assert: "pm.expect(pm.response.headers.get('Content-Disposition')).to.include('attachment');",
          },
        ],
      },
      {
        name: 'Export as a member is 403',
        op: 'GET /admin/exports/bookings.csv',
        auth: 'memberToken',
        status: 403,
        code: 'forbidden',
      },
      {
        name: 'Subscribe a webhook (admin)',
        op: 'POST /webhooks',
        auth: 'adminToken',
        body: { url: 'https://hooks.example.com/ahoum-{{runId}}', events: ['booking.created'], description: 'Postman' },
        status: 201,
        checks: [{ label: 'the secret, once', assert: 'pm.expect(json.webhook.secret).to.match(/^whsec_/);' }],
        capture: { webhookId: 'json.webhook.id' },
      },
      {
        name: 'A plain-http webhook URL is 400',
        op: 'POST /webhooks',
        auth: 'adminToken',
        body: { url: 'http://hooks.example.com/ahoum', events: ['booking.created'] },
        status: 400,
        code: 'validation_failed',
      },
      {
        name: 'List webhooks (no secrets)',
        op: 'GET /webhooks',
        auth: 'adminToken',
        status: 200,
        checks: [{ label: 'no secret', assert: "json.webhooks.forEach((w) => pm.expect(w).to.not.have.property('secret'));" }],
      },
      {
        name: 'Send a ping',
        op: 'POST /webhooks/:id/test',
        path: '/webhooks/{{webhookId}}/test',
        auth: 'adminToken',
        status: 202,
      },
      {
        name: 'Its deliveries',
        op: 'GET /webhooks/:id/deliveries',
        path: '/webhooks/{{webhookId}}/deliveries',
        auth: 'adminToken',
        status: 200,
        checks: [{ label: 'the ping', assert: "pm.expect(json.deliveries.map((d) => d.type)).to.include('ping');" }],
      },
      {
        name: 'Delete the webhook',
        op: 'DELETE /webhooks/:id',
        path: '/webhooks/{{webhookId}}',
        auth: 'adminToken',
        status: 200,
      },
    ],
  },
  {
    name: 'Waitlist offers, transfers and alternatives',
    steps: [
      {
        name: 'Create a one-seat paid class (admin)',
        op: 'POST /events',
        auth: 'adminToken',
        prerequest: ["pm.collectionVariables.set('offerStart', new Date(Date.now() + 3 * 86400000).toISOString());"],
        body: {
          title: 'Postman Paid Waitlist',
          type: 'Sound Healing',
          starts_at: '{{offerStart}}',
          location: 'Online',
          capacity: 1,
          price: 49900,
          facilitator_id: '#{{facilitatorId}}',
        },
        status: 201,
        capture: { paidFullEventId: 'json.event.id' },
      },
      {
        name: 'The facilitator account holds the only seat',
        op: 'POST /create-payment',
        auth: 'facilitatorToken',
        body: { event_id: '#{{paidFullEventId}}', provider: 'razorpay' },
        status: 201,
        capture: { seatHoldId: 'json.booking.id' },
      },
      {
        name: 'The member joins the paid waitlist',
        op: 'POST /book',
        auth: 'memberToken',
        body: { event_id: '#{{paidFullEventId}}', waitlist: true },
        status: 201,
        checks: [{ label: 'waitlisted', assert: "pm.expect(json.booking.status).to.eql('waitlisted');" }],
        capture: { offerBookingId: 'json.booking.id' },
      },
      {
        name: 'The hold is cancelled: the seat is offered',
        op: 'DELETE /cancel-booking/:id',
        path: '/cancel-booking/{{seatHoldId}}',
        auth: 'facilitatorToken',
        status: 200,
      },
      {
        name: 'The member’s booking is offered',
        op: 'GET /bookings/:id',
        path: '/bookings/{{offerBookingId}}',
        auth: 'memberToken',
        status: 200,
        checks: [
          { label: 'offered', assert: "pm.expect(json.booking.status).to.eql('offered');" },
          { label: 'until a time', assert: "pm.expect(json.booking.offer_expires_at).to.be.a('string');" },
        ],
      },
      {
        name: 'Claim the offer (a Razorpay hold)',
        op: 'POST /bookings/:id/claim',
        path: '/bookings/{{offerBookingId}}/claim',
        auth: 'memberToken',
        body: { provider: 'razorpay' },
        status: 201,
        checks: [
          { label: 'a payment hold', assert: "pm.expect(json.booking.status).to.eql('pending_payment');" },
          { label: 'an order to pay', assert: "pm.expect(json.payment.order_id).to.be.a('string');" },
        ],
      },
      {
        name: 'Claiming twice is 409',
        op: 'POST /bookings/:id/claim',
        path: '/bookings/{{offerBookingId}}/claim',
        auth: 'memberToken',
        body: { provider: 'razorpay' },
        status: 409,
        code: 'booking_not_offered',
      },
      {
        name: 'Create a one-seat free class',
        op: 'POST /events',
        auth: 'adminToken',
        body: {
          title: 'Postman Transfer From',
          type: 'Pranayama',
          starts_at: '{{offerStart}}',
          location: 'Online',
          capacity: 1,
          facilitator_id: '#{{facilitatorId}}',
        },
        status: 201,
        capture: { transferFromId: 'json.event.id' },
      },
      {
        name: 'Create another of the same type a day later',
        op: 'POST /events',
        auth: 'adminToken',
        prerequest: ["pm.collectionVariables.set('laterStart', new Date(Date.now() + 4 * 86400000).toISOString());"],
        body: {
          title: 'Postman Transfer To',
          type: 'pranayama',
          starts_at: '{{laterStart}}',
          location: 'Online',
          capacity: 5,
          facilitator_id: '#{{facilitatorId}}',
        },
        status: 201,
        capture: { transferToId: 'json.event.id' },
      },
      {
        name: 'The facilitator account takes the only seat of the first',
        op: 'POST /book',
        auth: 'facilitatorToken',
        body: { event_id: '#{{transferFromId}}' },
        status: 201,
        capture: { transferBookingId: 'json.booking.id' },
      },
      {
        name: 'Full: event_full carries the alternatives',
        op: 'POST /book',
        auth: 'memberToken',
        body: { event_id: '#{{transferFromId}}' },
        status: 409,
        code: 'event_full',
        checks: [
          {
            label: 'the other class is suggested',
            assert: "pm.expect(json.alternatives.map(e => e.id)).to.include(Number(pm.collectionVariables.get('transferToId')));",
          },
        ],
      },
      {
        name: 'Alternatives of the full class',
        op: 'GET /events/:id/alternatives',
        path: '/events/{{transferFromId}}/alternatives',
        status: 200,
        checks: [
          {
            label: 'same list',
            assert: "pm.expect(json.alternatives.map(e => e.id)).to.include(Number(pm.collectionVariables.get('transferToId')));",
          },
        ],
      },
      {
        name: 'Transfer the booking to the later class',
        op: 'POST /bookings/:id/transfer',
        path: '/bookings/{{transferBookingId}}/transfer',
        auth: 'facilitatorToken',
        body: { event_id: '#{{transferToId}}' },
        status: 201,
        checks: [
          { label: 'message', assert: "pm.expect(json.msg).to.eql('Booking transferred');" },
          {
            label: 'a new booking from the old one',
            assert:
              "pm.expect(json.booking.transferred_from).to.eql(Number(pm.collectionVariables.get('transferBookingId'))); pm.expect(json.booking.event_id).to.eql(Number(pm.collectionVariables.get('transferToId')));",
          },
        ],
      },
      {
        name: 'Transferring the old (cancelled) booking again is 409',
        op: 'POST /bookings/:id/transfer',
        path: '/bookings/{{transferBookingId}}/transfer',
        auth: 'facilitatorToken',
        body: { event_id: '#{{paidFullEventId}}' },
        status: 409,
        code: 'booking_not_confirmed',
      },
    ],
  },
  {
    name: 'Class passes',
    steps: [
      {
        name: 'Create a 5-class pack (admin)',
        op: 'POST /passes',
        auth: 'adminToken',
        body: { name: 'Postman 5-class pack', credits: 5, price: 200000, valid_days: 60 },
        status: 201,
        capture: { passId: 'json.pass.id' },
      },
      {
        name: 'Rename the product (admin)',
        op: 'PATCH /passes/:id',
        path: '/passes/{{passId}}',
        auth: 'adminToken',
        body: { name: 'Postman 5-class pack (renamed)' },
        status: 200,
        checks: [{ label: 'renamed', assert: "pm.expect(json.pass.name).to.eql('Postman 5-class pack (renamed)');" }],
      },
      {
        name: 'The passes on sale',
        op: 'GET /passes',
        status: 200,
        checks: [
          {
            label: 'listed',
            assert: "pm.expect(json.passes.map(p => p.id)).to.include(Number(pm.collectionVariables.get('passId')));",
          },
        ],
      },
      {
        name: 'Create a 100 % voucher (admin)',
        op: 'POST /vouchers',
        auth: 'adminToken',
        body: { code: 'PM-FREE-{{runId}}', percent_off: 100, max_uses: 1 },
        status: 201,
        capture: { voucherCode: 'json.voucher.code' },
      },
      {
        name: 'The vouchers (admin)',
        op: 'GET /vouchers',
        auth: 'adminToken',
        status: 200,
        checks: [{ label: 'listed with its uses', assert: 'pm.expect(json.vouchers[0].uses).to.eql(0);' }],
      },
      {
        name: 'Buy the pack with the voucher: active at once, no payment',
        op: 'POST /passes/:id/purchase',
        path: '/passes/{{passId}}/purchase',
        auth: 'memberToken',
        body: { provider: 'razorpay', voucher_code: '{{voucherCode}}' },
        status: 201,
        checks: [
          { label: 'active', assert: "pm.expect(json.purchase.status).to.eql('active'); pm.expect(json.payment).to.eql(null);" },
        ],
      },
      {
        name: 'The voucher is used up: 409',
        op: 'POST /passes/:id/purchase',
        path: '/passes/{{passId}}/purchase',
        auth: 'memberToken',
        body: { provider: 'razorpay', voucher_code: '{{voucherCode}}' },
        status: 409,
        code: 'voucher_exhausted',
      },
      {
        name: 'Buy it (Razorpay)',
        op: 'POST /passes/:id/purchase',
        path: '/passes/{{passId}}/purchase',
        auth: 'memberToken',
        body: { provider: 'razorpay' },
        status: 201,
        checks: [{ label: 'pending', assert: "pm.expect(json.purchase.status).to.eql('pending_payment');" }],
        capture: { purchaseId: 'json.purchase.id', passOrderId: 'json.payment.order_id' },
      },
      {
        name: 'Confirm the purchase with the Checkout signature',
        op: 'POST /pass-purchases/:id/confirm',
        path: '/pass-purchases/{{purchaseId}}/confirm',
        auth: 'memberToken',
        prerequest: [
          "const orderId = pm.collectionVariables.get('passOrderId');",
          "const paymentId = 'pay_' + pm.collectionVariables.get('runId').replace(/[^A-Za-z0-9]/g, '') + 'P';",
          "pm.collectionVariables.set('passPaymentId', paymentId);",
          "pm.collectionVariables.set('passSignature', CryptoJS.HmacSHA256(orderId + '|' + paymentId, pm.environment.get('razorpayKeySecret')).toString());",
        ],
        body: {
          razorpay_order_id: '{{passOrderId}}',
          razorpay_payment_id: '{{passPaymentId}}',
          razorpay_signature: '{{passSignature}}',
        },
        status: 200,
        checks: [
          { label: 'message', assert: "pm.expect(json.msg).to.eql('Pass activated');" },
          { label: '5 credits', assert: 'pm.expect(json.member_pass.credits_left).to.eql(5);' },
        ],
        capture: { memberPassId: 'json.member_pass.id' },
      },
      {
        name: 'Book the paid event with a credit',
        op: 'POST /book',
        auth: 'memberToken',
        body: { event_id: 7, pass_id: '#{{memberPassId}}' },
        status: 201,
        checks: [{ label: 'paid with the pass', assert: "pm.expect(json.booking.paid_with).to.eql('pass');" }],
        capture: { passBookingId: 'json.booking.id' },
      },
      {
        name: 'My passes: 4 credits left',
        op: 'GET /me/passes',
        auth: 'memberToken',
        status: 200,
        checks: [
          {
            label: '4 left',
            assert:
              "pm.expect(json.member_passes.find(p => p.id === Number(pm.collectionVariables.get('memberPassId'))).credits_left).to.eql(4);",
          },
        ],
      },
      {
        name: 'Cancel before the cut-off: the credit comes back',
        op: 'DELETE /cancel-booking/:id',
        path: '/cancel-booking/{{passBookingId}}',
        auth: 'memberToken',
        status: 200,
      },
      {
        name: 'The ledger: purchase, booking, return',
        op: 'GET /me/passes/:id/ledger',
        path: '/me/passes/{{memberPassId}}/ledger',
        auth: 'memberToken',
        status: 200,
        checks: [
          {
            label: 'three rows summing to 5',
            assert:
              "pm.expect(json.entries.map(e => e.reason)).to.eql(['purchase', 'booking', 'booking_cancelled']); pm.expect(json.entries.reduce((s, e) => s + e.change, 0)).to.eql(5);",
          },
        ],
      },
    ],
  },
  {
    name: 'Payments',
    steps: [
      {
        name: 'Hold a seat of the paid event (Razorpay)',
        op: 'POST /create-payment',
        auth: 'memberToken',
        body: { event_id: 7, provider: 'razorpay' },
        status: 201,
        checks: [
          {
            label: 'held',
            assert:
              "pm.expect(json.booking.status).to.eql('pending_payment'); pm.expect(json.payment.order_id).to.match(/^order_/);",
          },
        ],
        capture: { paidBookingId: 'json.booking.id', razorpayOrderId: 'json.payment.order_id' },
      },
      {
        name: 'Confirm with a forged signature is 400',
        op: 'POST /confirm-booking',
        auth: 'memberToken',
        body: {
          booking_id: '#{{paidBookingId}}',
          razorpay_order_id: '{{razorpayOrderId}}',
          razorpay_payment_id: 'pay_Forged{{runId}}',
          razorpay_signature: '0000000000000000000000000000000000000000000000000000000000000000',
        },
        status: 400,
        code: 'payment_verification_failed',
      },
      {
        name: 'Confirm with the Checkout signature',
        op: 'POST /confirm-booking',
        auth: 'memberToken',
        prerequest: [
          "const paymentId = 'pay_Postman' + pm.collectionVariables.get('runId');",
          "const signature = CryptoJS.HmacSHA256(pm.collectionVariables.get('razorpayOrderId') + '|' + paymentId, pm.environment.get('razorpayKeySecret')).toString(CryptoJS.enc.Hex);",
          "pm.collectionVariables.set('razorpayPaymentId', paymentId);",
          "pm.collectionVariables.set('razorpaySignature', signature);",
        ],
        body: {
          booking_id: '#{{paidBookingId}}',
          razorpay_order_id: '{{razorpayOrderId}}',
          razorpay_payment_id: '{{razorpayPaymentId}}',
          razorpay_signature: '{{razorpaySignature}}',
        },
        status: 200,
        checks: [
          { label: 'message', assert: "pm.expect(json.msg).to.eql('Booking confirmed');" },
          {
            label: 'paid',
            assert: "pm.expect(json.booking).to.include({ status: 'confirmed', is_paid: true, amount_paid: 49900 });",
          },
        ],
      },
      {
        name: 'Hold a seat as admin (Stripe)',
        op: 'POST /create-payment',
        auth: 'adminToken',
        body: { event_id: 7, provider: 'stripe' },
        status: 201,
        checks: [
          { label: 'client secret', assert: 'pm.expect(json.payment.client_secret).to.include(json.payment.payment_intent_id);' },
        ],
        capture: { stripeBookingId: 'json.booking.id', paymentIntentId: 'json.payment.payment_intent_id' },
      },
      {
        name: 'Confirm the PaymentIntent',
        op: 'POST /confirm-booking',
        auth: 'adminToken',
        body: { booking_id: '#{{stripeBookingId}}', payment_intent_id: '{{paymentIntentId}}' },
        status: 200,
        checks: [
          { label: 'paid', assert: "pm.expect(json.booking.payment_id).to.eql(pm.collectionVariables.get('paymentIntentId'));" },
        ],
      },
      {
        name: 'Cancel the paid booking (refunded)',
        op: 'DELETE /cancel-booking/:id',
        path: '/cancel-booking/{{stripeBookingId}}',
        auth: 'adminToken',
        status: 200,
      },
      {
        name: 'A webhook with a bad signature is 400',
        op: 'POST /payment-webhook',
        headers: { 'X-Razorpay-Signature': 'bad', 'X-Razorpay-Event-Id': 'evt_bad_{{runId}}' },
        body: { entity: 'event', event: 'payment.captured', payload: {} },
        status: 400,
        code: 'invalid_signature',
      },
      {
        name: 'A signed webhook is accepted once',
        op: 'POST /payment-webhook',
        headers: { 'X-Razorpay-Signature': '{{webhookSignature}}', 'X-Razorpay-Event-Id': 'evt_pm_{{runId}}' },
        prerequest: [
          "pm.collectionVariables.set('webhookSignature', CryptoJS.HmacSHA256(pm.request.body.raw, pm.environment.get('razorpayWebhookSecret')).toString(CryptoJS.enc.Hex));",
        ],
        body: {
          entity: 'event',
          event: 'payment.failed',
          payload: {
            payment: { entity: { id: 'pay_NoSuchOrder1', order_id: 'order_NoSuchOrder1', amount: 100, currency: 'INR' } },
          },
        },
        status: 200,
        checks: [{ label: 'not a duplicate', assert: 'pm.expect(json).to.eql({ received: true, duplicate: false });' }],
      },
    ],
  },
  {
    name: 'Admin',
    steps: [
      {
        name: 'Notifications as a member is 403',
        op: 'GET /admin/notifications',
        auth: 'memberToken',
        status: 403,
        code: 'forbidden',
      },
      {
        name: 'Notifications (admin)',
        op: 'GET /admin/notifications',
        path: '/admin/notifications?limit=5',
        auth: 'adminToken',
        status: 200,
        checks: [{ label: 'a list', assert: "pm.expect(json.notifications).to.be.an('array');" }],
      },
      {
        name: 'Replaying an unknown notification is 404',
        op: 'POST /admin/notifications/:id/replay',
        path: '/admin/notifications/00000000-0000-4000-8000-000000000000/replay',
        auth: 'adminToken',
        body: {},
        status: 404,
        code: 'not_found',
      },
      {
        name: 'Cancel the event (admin)',
        op: 'DELETE /events/:id',
        path: '/events/{{eventId}}',
        auth: 'adminToken',
        status: 200,
        checks: [
          {
            label: 'soft delete',
            assert: "pm.expect(json.msg).to.eql('Event cancelled'); pm.expect(json.event.status).to.eql('cancelled');",
          },
        ],
      },
    ],
  },
  {
    name: 'Recurring series',
    steps: [
      {
        name: 'Create a weekly series as a facilitator (its own)',
        op: 'POST /series',
        auth: 'facilitatorToken',
        prerequest: ["pm.collectionVariables.set('seriesStart', new Date(Date.now() + 7 * 86400000).toISOString());"],
        body: {
          title: 'Postman Weekly Yoga',
          type: 'Yoga',
          starts_at: '{{seriesStart}}',
          duration_minutes: 60,
          timezone: 'Asia/Kolkata',
          location: 'Online',
          capacity: 12,
          rrule: 'FREQ=WEEKLY;COUNT=4',
        },
        status: 201,
        checks: [
          { label: 'message', assert: "pm.expect(json.msg).to.eql('Series created');" },
          {
            label: 'four occurrences',
            assert: 'pm.expect(json.series.occurrence_count).to.eql(4); pm.expect(json.events.length).to.eql(4);',
          },
          {
            label: 'occurrences carry series_id',
            assert: 'json.events.forEach(e => pm.expect(e.series_id).to.eql(json.series.id));',
          },
        ],
        capture: { seriesId: 'json.series.id' },
      },
      {
        name: 'Its occurrences in GET /events?series_id=',
        op: 'GET /events',
        path: '/events?series_id={{seriesId}}',
        status: 200,
        checks: [{ label: 'the four occurrences', assert: 'pm.expect(json.events.length).to.eql(4);' }],
      },
      {
        name: 'Get the series',
        op: 'GET /series/:id',
        path: '/series/{{seriesId}}',
        status: 200,
        checks: [{ label: 'upcoming occurrences', assert: 'pm.expect(json.events.length).to.eql(4);' }],
      },
      {
        name: 'An unsupported rrule is 400',
        op: 'POST /series',
        auth: 'facilitatorToken',
        body: {
          title: 'Monthly',
          type: 'Yoga',
          starts_at: '{{seriesStart}}',
          timezone: 'Asia/Kolkata',
          rrule: 'FREQ=MONTHLY',
        },
        status: 400,
        code: 'validation_failed',
        checks: [{ label: 'names rrule', assert: "pm.expect(json.issues[0].path).to.eql('rrule');" }],
      },
      {
        name: 'Book the whole series as the member',
        op: 'POST /series/:id/book',
        path: '/series/{{seriesId}}/book',
        auth: 'memberToken',
        status: 201,
        checks: [
          { label: 'message', assert: "pm.expect(json.msg).to.eql('Series booked');" },
          { label: 'one booking per occurrence', assert: 'pm.expect(json.bookings.length).to.eql(4);' },
        ],
      },
      {
        name: 'Booking the series again is 409',
        op: 'POST /series/:id/book',
        path: '/series/{{seriesId}}/book',
        auth: 'memberToken',
        status: 409,
        code: 'already_booked',
      },
      {
        name: 'Update the series (PATCH)',
        op: 'PATCH /series/:id',
        path: '/series/{{seriesId}}',
        auth: 'facilitatorToken',
        body: { capacity: 15, title: 'Postman Weekly Yoga (updated)' },
        status: 200,
        checks: [
          { label: 'message', assert: "pm.expect(json.msg).to.eql('Series updated');" },
          { label: 'occurrences follow', assert: 'json.events.forEach(e => pm.expect(e.capacity).to.eql(15));' },
        ],
      },
      {
        name: 'Changing the rrule is 400',
        op: 'PATCH /series/:id',
        path: '/series/{{seriesId}}',
        auth: 'facilitatorToken',
        body: { rrule: 'FREQ=DAILY' },
        status: 400,
        code: 'validation_failed',
      },
      {
        name: 'Cancel the series',
        op: 'DELETE /series/:id',
        path: '/series/{{seriesId}}',
        auth: 'facilitatorToken',
        status: 200,
        checks: [
          { label: 'message', assert: "pm.expect(json.msg).to.eql('Series cancelled');" },
          { label: 'every occurrence cancelled', assert: 'pm.expect(json.cancelled_event_ids.length).to.eql(4);' },
        ],
      },
    ],
  },
  // An account of its own, so changing its password and deleting it leave the other flows' sessions alone.
  {
    name: 'Account lifecycle',
    steps: [
      {
        name: 'Register a member to change, reset and delete',
        op: 'POST /register',
        body: { name: 'Postman Leaver', email: leaverEmail, password: 'postman-password-1' },
        status: 201,
      },
      {
        name: 'Log in as that member',
        op: 'POST /login',
        body: { email: leaverEmail, password: 'postman-password-1' },
        status: 200,
        capture: { leaverToken: 'json.access_token' },
      },
      {
        name: 'Export my data',
        op: 'GET /me/export',
        auth: 'leaverToken',
        status: 200,
        checks: [
          {
            label: 'passes not there yet',
            assert: 'pm.expect(json.member_passes).to.eql([]); pm.expect(json.ledger).to.eql([]);',
          },
        ],
      },
      {
        name: 'Change the password with a wrong current one is 400',
        op: 'POST /password/change',
        auth: 'leaverToken',
        body: { current_password: 'not-the-password', new_password: 'postman-password-2' },
        status: 400,
        code: 'invalid_password',
      },
      {
        name: 'Change the password',
        op: 'POST /password/change',
        auth: 'leaverToken',
        body: { current_password: 'postman-password-1', new_password: 'postman-password-2' },
        status: 200,
        checks: [{ label: 'message', assert: "pm.expect(json.msg).to.eql('Password changed');" }],
      },
      {
        name: 'The access token issued before the change is refused',
        op: 'GET /me',
        auth: 'leaverToken',
        status: 401,
        code: 'unauthorized',
      },
      {
        name: 'Ask for a reset link',
        op: 'POST /password/forgot',
        body: { email: leaverEmail },
        status: 202,
        checks: [
          { label: 'message', assert: "pm.expect(json.msg).to.eql('If that account exists, a reset link is on its way');" },
        ],
      },
      {
        name: 'An unknown reset token is 400',
        op: 'POST /password/reset',
        body: { token: 'not-a-token-we-sent-{{runId}}', new_password: 'postman-password-3' },
        status: 400,
        code: 'invalid_token',
      },
      {
        name: 'Log in with the new password',
        op: 'POST /login',
        body: { email: leaverEmail, password: 'postman-password-2' },
        status: 200,
        capture: { leaverToken: 'json.access_token' },
      },
      {
        name: 'Delete the account with a wrong password is 400',
        op: 'DELETE /me',
        auth: 'leaverToken',
        body: { password: 'not-the-password' },
        status: 400,
        code: 'invalid_password',
      },
      {
        name: 'Delete the account',
        op: 'DELETE /me',
        auth: 'leaverToken',
        body: { password: 'postman-password-2' },
        status: 204,
      },
      {
        name: 'The email can register again',
        op: 'POST /register',
        body: { name: 'Postman Returner', email: leaverEmail, password: 'postman-password-1' },
        status: 201,
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
