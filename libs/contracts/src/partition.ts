import { createHash } from 'node:crypto';

/**
 * partition = SHA-256(tenant ‖ 0x00 ‖ key) read as a big-endian uint32, mod P.
 *
 * Stable across versions and languages on purpose: it decides which aggregator replica owns a
 * shopper, so changing it would split a session's funnel across partitions. SHA-256 from
 * node:crypto (OpenSSL) costs well under a microsecond per event and any runtime can reproduce
 * it; the fixed vectors in partition.spec.ts were computed with Python's hashlib.
 * `key` is the shop's user id (or the session id, or the event id when neither is present).
 */
export function partitionOf(tenant: string, key: string, partitions: number): number {
  if (!Number.isInteger(partitions) || partitions < 1) {
    throw new Error(`partitions must be a positive integer, got ${partitions}`);
  }
  const digest = createHash('sha256').update(tenant).update('\u0000').update(key).digest();
  return digest.readUInt32BE(0) % partitions;
}
