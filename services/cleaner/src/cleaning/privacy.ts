import { createHmac } from 'node:crypto';
import ipaddr from 'ipaddr.js';

export interface PseudonymKey {
  /** Short id stored in every pseudonym, so pseudonyms made under an old key stay recognisable. */
  id: string;
  secret: string;
}

/**
 * Keys for user-id pseudonyms. New pseudonyms use `active`; the others are kept so that a
 * data-subject request can still find the pseudonyms made before a rotation (`pseudonymsOf`).
 */
export interface PseudonymKeyring {
  active: PseudonymKey;
  keys: ReadonlyMap<string, PseudonymKey>;
}

export const KEY_ID_PATTERN = /^[a-z0-9]{1,8}$/;
/** 16 characters is the floor; 32 random bytes (64 hex characters) is what production should use. */
export const MIN_SECRET_LENGTH = 16;

export type KeyringResult = { ok: true; keyring: PseudonymKeyring } | { ok: false; problems: string[] };

/**
 * `k1:<secret>,k2:<secret>` with an active id → a keyring. Problems name the variable and the key
 * id, never a secret (they end up in start-up logs).
 */
export function parsePseudonymKeyring(keysSpec: string, activeId: string | undefined, variable: string): KeyringResult {
  const problems: string[] = [];
  const keys = new Map<string, PseudonymKey>();
  const entries = keysSpec
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
  if (entries.length === 0) problems.push(`${variable}: no keys (expected k1:<secret>,k2:<secret>)`);
  entries.forEach((entry, index) => {
    const colon = entry.indexOf(':');
    const id = colon > 0 ? entry.slice(0, colon) : '';
    const secret = colon > 0 ? entry.slice(colon + 1) : '';
    if (!KEY_ID_PATTERN.test(id)) {
      problems.push(`${variable}: entry ${index + 1} must be <id>:<secret> with an id of 1–8 of [a-z0-9]`);
    } else if (keys.has(id)) {
      problems.push(`${variable}: key id ${id} appears twice`);
    } else if (secret.length < MIN_SECRET_LENGTH) {
      problems.push(`${variable}: the secret of key ${id} is shorter than ${MIN_SECRET_LENGTH} characters`);
    } else {
      keys.set(id, { id, secret });
    }
  });
  const activeVariable = `${variable.replace(/_KEYS$/, '')}_ACTIVE_KEY`;
  const chosen = activeId ?? (entries.length === 1 ? [...keys.keys()][0] : undefined);
  if (chosen === undefined) {
    if (entries.length > 1) problems.push(`${activeVariable}: required when ${variable} holds more than one key`);
  } else if (problems.length === 0 && !keys.has(chosen)) {
    problems.push(`${activeVariable}: ${JSON.stringify(chosen)} is not a key id in ${variable}`);
  }
  const active = chosen === undefined ? undefined : keys.get(chosen);
  if (problems.length > 0 || !active) return { ok: false, problems };
  return { ok: true, keyring: { active, keys } };
}

/**
 * Keyed HMAC-SHA256 of (tenant, user id) → `<key id>:<32 hex>`. Stable per tenant and user under
 * one key, unlinkable across tenants, useless without the key. 128 bits of the digest keep
 * collisions out of reach for any shop's user count while halving the bytes every sketch stores.
 */
export function pseudonymize(tenant: string, userId: string, key: PseudonymKey): string {
  const digest = createHmac('sha256', key.secret).update(`${tenant}\u0000${userId}`).digest('hex');
  return `${key.id}:${digest.slice(0, 32)}`;
}

/** The user's pseudonym under every key in the ring: what to look for when a user asks for erasure. */
export function pseudonymsOf(tenant: string, userId: string, keyring: PseudonymKeyring): string[] {
  return [...keyring.keys.values()].map((key) => pseudonymize(tenant, userId, key));
}

/**
 * An IP address → its network: IPv4 /24 (`203.0.113.0/24`), IPv6 /48 (`2001:db8:1234::/48`);
 * IPv4-mapped IPv6 counts as IPv4. Only the dotted-quad IPv4 form is read (ipaddr.js would also
 * take "127.1" or hex parts, which no client sends). Anything else → undefined.
 */
export function truncateIp(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.trim().replace(/^\[(.*)\]$/, '$1');
  let bytes: number[];
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) {
    bytes = ipaddr.IPv4.parse(text).toByteArray();
  } else if (ipaddr.IPv6.isValid(text)) {
    const address = ipaddr.IPv6.parse(text);
    bytes = address.isIPv4MappedAddress() ? address.toIPv4Address().toByteArray() : address.toByteArray();
  } else {
    return undefined;
  }
  const prefix = bytes.length === 4 ? 24 : 48;
  const kept = prefix / 8;
  const network = ipaddr.fromByteArray(bytes.map((byte, index) => (index < kept ? byte : 0)));
  return `${network.toString()}/${prefix}`;
}
