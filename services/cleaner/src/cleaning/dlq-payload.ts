import { truncateIp } from './privacy.js';
import { looksLikeEmail } from './text.js';

/**
 * Fields of the event contract that hold no personal data: the DLQ copy keeps them as sent, so an
 * operator can see what was wrong with them.
 */
const KEPT_AS_SENT = [
  'event_id',
  'type',
  'occurred_at',
  'session_id',
  'product_id',
  'category',
  'quantity',
  'price',
  'currency',
  'order_id',
  'country',
  'channel',
] as const;

/**
 * Personal or free-text fields a shop sends; the DLQ copy names the ones present (these names are
 * ours, never the sender's) and drops their values. `user_id` and `ip` leave only as a pseudonym
 * and a network prefix.
 */
export const PII_FIELDS = [
  'user_id',
  'ip',
  'email',
  'phone',
  'name',
  'first_name',
  'last_name',
  'full_name',
  'address',
  'street',
  'postcode',
  'zip',
  'city',
  'birth_date',
  'user_agent',
  'attributes',
] as const;

const PII = new Set<string>(PII_FIELDS);
const KEPT = new Set<string>(KEPT_AS_SENT);
const MAX_KEPT_TEXT = 256;

/** What the DLQ carries instead of the original payload. */
export interface DlqPayload {
  /** Contract fields without personal data, as sent (strings cut at 256 characters). */
  fields: Record<string, unknown>;
  /** Pseudonym of `user_id` under the active key, to correlate with clean events. */
  user_key?: string;
  /** `ip` truncated to its /24 or /48 network. */
  ip_prefix?: string;
  /** Names of personal fields that were present and removed. */
  redacted: string[];
  /** How many other top-level fields were dropped; their names are not kept (a key can be PII too). */
  unknown_fields: number;
  /** JSON type of the payload when it was not an object at all. */
  payload_type?: string;
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'array' : typeof value;
}

function keptValue(value: unknown): unknown {
  if (typeof value === 'string') {
    if (looksLikeEmail(value)) return '[redacted: e-mail shaped]';
    return value.length > MAX_KEPT_TEXT ? `${value.slice(0, MAX_KEPT_TEXT)}…` : value;
  }
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return value;
  return { $type: jsonType(value) };
}

export interface ScrubOptions {
  /** Turns the sender's user id into the pseudonym clean events carry; without it the id is only redacted. */
  userKey?: (userId: string) => string | undefined;
}

/**
 * The DLQ copy of a raw payload, without raw PII: known non-personal fields as sent, the user id
 * as a pseudonym, the IP as its network, every other field dropped (personal ones named). Pure and
 * total: any JSON value in, never throws.
 */
export function scrubForDlq(raw: unknown, options: ScrubOptions = {}): DlqPayload {
  const payload: DlqPayload = { fields: {}, redacted: [], unknown_fields: 0 };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    payload.payload_type = jsonType(raw);
    return payload;
  }
  for (const [key, value] of Object.entries(raw)) {
    if (KEPT.has(key)) {
      payload.fields[key] = keptValue(value);
    } else if (PII.has(key)) {
      payload.redacted.push(key);
      if (key === 'user_id' && (typeof value === 'string' || typeof value === 'number')) {
        const userKey = options.userKey?.(String(value));
        if (userKey !== undefined) payload.user_key = userKey;
      }
      if (key === 'ip') {
        const prefix = truncateIp(value);
        if (prefix !== undefined) payload.ip_prefix = prefix;
      }
    } else {
      payload.unknown_fields += 1;
    }
  }
  return payload;
}
