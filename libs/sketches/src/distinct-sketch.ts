import { createHash } from 'node:crypto';
import { constants, deflateRawSync, inflateRawSync } from 'node:zlib';
import { HyperLogLog } from 'hyperlolo';

/** Distinct values a sketch counts exactly before it turns into a HyperLogLog. */
export const EXACT_LIMIT = 256;
/** HyperLogLog precision: 2^12 registers, 4 KiB per dense sketch. */
export const HLL_PRECISION = 12;
/** Relative standard error of a dense sketch's count: 1.04 / √(2^12) ≈ 1.6 %. */
export const HLL_STANDARD_ERROR = 1.04 / Math.sqrt(2 ** HLL_PRECISION);

const EXACT = 0x01;
/** HyperLogLog registers, raw-deflated: 4 KiB of registers compress to ~0.5–2 KiB on the wire. */
const DENSE = 0x02;
const HASH_BYTES = 8;

/**
 * The 64-bit key a value is counted by (hex). Values are hashed once, so a sketch holds fixed-size
 * keys and the HyperLogLog below sees well-mixed input whatever the ids look like.
 */
export function distinctKey(value: string): string {
  return createHash('sha256')
    .update(value)
    .digest('hex')
    .slice(0, HASH_BYTES * 2);
}

/**
 * A mergeable distinct counter: the exact set of keys while it holds at most EXACT_LIMIT of them
 * (counts are exact, which is what small windows and dimensions mostly are), then a HyperLogLog of
 * the `hyperlolo` library (precision 12, standard error ≈ 1.6 %). Union is lossless: exact ∪ exact
 * stays exact below the limit; anything merged into a dense sketch is added to its registers.
 * The encoding is canonical (exact keys sorted), so equal states encode to equal bytes.
 */
type Registers = { kind: 'exact'; keys: Set<string> } | { kind: 'dense'; hll: HyperLogLog };

export class DistinctSketch {
  private registers: Registers = { kind: 'exact', keys: new Set() };

  /** Adds a value; true when the sketch may have changed. */
  add(value: string): boolean {
    return this.addKey(distinctKey(value));
  }

  addKey(key: string): boolean {
    const registers = this.registers;
    if (registers.kind === 'dense') {
      registers.hll.add(key);
      return true;
    }
    if (registers.keys.has(key)) return false;
    registers.keys.add(key);
    if (registers.keys.size > EXACT_LIMIT) this.promote();
    return true;
  }

  isExact(): boolean {
    return this.registers.kind === 'exact';
  }

  count(): number {
    const registers = this.registers;
    return registers.kind === 'exact' ? registers.keys.size : Math.round(registers.hll.count());
  }

  /** Union in place. */
  merge(other: DistinctSketch): this {
    const theirs = other.registers;
    if (theirs.kind === 'exact') {
      for (const key of theirs.keys) this.addKey(key);
      return this;
    }
    const mine = this.promote();
    this.registers = { kind: 'dense', hll: mine.merge(theirs.hll) };
    return this;
  }

  encode(): Buffer {
    const registers = this.registers;
    if (registers.kind === 'dense') {
      const packed = deflateRawSync(registers.hll.serialize(), { level: constants.Z_BEST_SPEED });
      return Buffer.concat([Buffer.from([DENSE]), packed]);
    }
    const keys = [...registers.keys].sort();
    const buffer = Buffer.alloc(1 + keys.length * HASH_BYTES);
    buffer[0] = EXACT;
    keys.forEach((key, index) => buffer.write(key, 1 + index * HASH_BYTES, 'hex'));
    return buffer;
  }

  toBase64(): string {
    return this.encode().toString('base64');
  }

  static decode(bytes: Uint8Array): DistinctSketch {
    const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const sketch = new DistinctSketch();
    if (buffer.length === 0) return sketch;
    if (buffer[0] === EXACT) {
      if ((buffer.length - 1) % HASH_BYTES !== 0) throw new Error('corrupt exact sketch: length');
      const keys = new Set<string>();
      for (let offset = 1; offset < buffer.length; offset += HASH_BYTES) {
        keys.add(buffer.toString('hex', offset, offset + HASH_BYTES));
      }
      sketch.registers = { kind: 'exact', keys };
      return sketch;
    }
    if (buffer[0] === DENSE) {
      const hll = HyperLogLog.deserialize(inflateRawSync(buffer.subarray(1)));
      if (hll.precision() !== HLL_PRECISION) throw new Error('corrupt dense sketch: precision');
      sketch.registers = { kind: 'dense', hll };
      return sketch;
    }
    throw new Error(`unknown sketch encoding ${buffer[0]}`);
  }

  static fromBase64(text: string): DistinctSketch {
    return DistinctSketch.decode(Buffer.from(text, 'base64'));
  }

  /** The union of several sketches (what a query over partitions and windows needs). */
  static union(sketches: Iterable<DistinctSketch>): DistinctSketch {
    const result = new DistinctSketch();
    for (const sketch of sketches) result.merge(sketch);
    return result;
  }

  /** Turns the exact set into HyperLogLog registers (no-op when already dense). */
  private promote(): HyperLogLog {
    const registers = this.registers;
    if (registers.kind === 'dense') return registers.hll;
    const hll = new HyperLogLog({ precision: HLL_PRECISION });
    for (const key of registers.keys) hll.add(key);
    this.registers = { kind: 'dense', hll };
    return hll;
  }
}
