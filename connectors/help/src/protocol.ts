/**
 * The wire format between the browser tracker and the server handler, and its validation. The
 * page sends `{ tabId, events }`; every field is checked here so the handler only sees clean data.
 */

/** How the page was reached when an article was opened (a label for analytics, never a rule). */
export type OpenVia = 'click' | 'search' | 'suggested' | 'direct' | 'new-tab' | 'reload' | 'history' | 'api';

/**
 * One user action in a help center. `id` is the page's own id for the event (random, kept when
 * the page sends it again), passed to the tracker as its delivery id: an event sent twice
 * (a retry after a lost answer, a beacon and a fetch) counts once.
 */
export type HelpEvent =
  /** A search made in the search bar (the query text is never sent). */
  | { type: 'search'; id?: string }
  /** An article was opened. */
  | { type: 'open'; article: string; via: OpenVia; id?: string };

export interface HelpBatch {
  tabId: string;
  events: HelpEvent[];
}

/** A request body the handler refuses with 400; `field` names the bad field. */
export class BadRequestError extends Error {
  override name = 'BadRequestError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

// 128 random bits in base64url is 22 characters; the range leaves room for other id schemes.
const TAB_ID = /^[A-Za-z0-9_-]{16,64}$/;
export const MAX_EVENTS = 50;
const MAX_ARTICLE_LENGTH = 512;
const VIAS: readonly OpenVia[] = [
  'click',
  'search',
  'suggested',
  'direct',
  'new-tab',
  'reload',
  'history',
  'api',
];

/** Parses and validates a request body; throws BadRequestError naming the field. */
export function parseBatch(text: string): HelpBatch {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new BadRequestError('body', 'body must be JSON: { "tabId": string, "events": [...] }');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new BadRequestError('body', 'body must be a JSON object: { "tabId": string, "events": [...] }');
  }
  const { tabId, events } = body as Record<string, unknown>;
  if (typeof tabId !== 'string' || !TAB_ID.test(tabId)) {
    throw new BadRequestError(
      'tabId',
      `tabId must be 16 to 64 characters of A-Z a-z 0-9 _ -, got ${show(tabId)}`,
    );
  }
  if (!Array.isArray(events) || events.length === 0 || events.length > MAX_EVENTS) {
    throw new BadRequestError(
      'events',
      `events must be an array of 1 to ${MAX_EVENTS} events, got ${Array.isArray(events) ? `${events.length} events` : show(events)}`,
    );
  }
  return { tabId, events: events.map(parseEvent) };
}

function parseEvent(raw: unknown, index: number): HelpEvent {
  const field = `events[${index}]`;
  if (typeof raw !== 'object' || raw === null) {
    throw new BadRequestError(field, `${field} must be an object, got ${show(raw)}`);
  }
  const event = raw as Record<string, unknown>;
  const id = idOf(event.id, `${field}.id`);
  if (event.type === 'search') return id === undefined ? { type: 'search' } : { type: 'search', id };
  if (event.type !== 'open') {
    throw new BadRequestError(
      `${field}.type`,
      `${field}.type must be 'search' or 'open', got ${show(event.type)}`,
    );
  }
  const { article, via } = event;
  if (typeof article !== 'string' || article === '' || article.length > MAX_ARTICLE_LENGTH) {
    throw new BadRequestError(
      `${field}.article`,
      `${field}.article must be a string of 1 to ${MAX_ARTICLE_LENGTH} characters, got ${show(article)}`,
    );
  }
  if (!VIAS.includes(via as OpenVia)) {
    throw new BadRequestError(
      `${field}.via`,
      `${field}.via must be one of ${VIAS.join(', ')}, got ${show(via)}`,
    );
  }
  const open = { type: 'open', article, via: via as OpenVia } as const;
  return id === undefined ? open : { ...open, id };
}

// The tracker sends 128 random bits in base64url (22 characters); as for tab ids, a range.
const EVENT_ID = /^[A-Za-z0-9_-]{8,64}$/;

function idOf(value: unknown, field: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !EVENT_ID.test(value)) {
    throw new BadRequestError(
      field,
      `${field} must be 8 to 64 characters of A-Z a-z 0-9 _ -, got ${show(value)}`,
    );
  }
  return value;
}

/** A bad value, quoted and cut short so a forged body cannot flood the error message. */
function show(value: unknown): string {
  const text = value === undefined ? 'undefined' : JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}
