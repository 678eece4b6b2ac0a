import { status, type ServiceError } from '@grpc/grpc-js';

export interface FieldViolation {
  field: string;
  description: string;
}

const BAD_REQUEST = 'type.googleapis.com/google.rpc.BadRequest';

/** The name of a gRPC status code, e.g. `INVALID_ARGUMENT`. */
export function statusName(code: number): string {
  return (status as unknown as Record<number, string>)[code] ?? `code ${code}`;
}

/** A gRPC error as grpc-js rejects a call, or anything else. */
export function isServiceError(error: unknown): error is ServiceError {
  return error instanceof Error && typeof (error as Partial<ServiceError>).code === 'number' && 'metadata' in error;
}

/**
 * The google.rpc.BadRequest field violations of an INVALID_ARGUMENT answer (the standard
 * `grpc-status-details-bin` trailer), or [] when it carries none.
 */
export function fieldViolations(error: unknown): FieldViolation[] {
  if (!isServiceError(error) || !error.metadata) return [];
  const [details] = error.metadata.get('grpc-status-details-bin');
  if (!(details instanceof Buffer)) return [];
  try {
    const violations: FieldViolation[] = [];
    for (const [field, any] of fields(details)) {
      if (field !== 3 || !(any instanceof Buffer)) continue; // google.rpc.Status.details
      const anyFields = fields(any);
      const typeUrl = anyFields.find(([number]) => number === 1)?.[1];
      const value = anyFields.find(([number]) => number === 2)?.[1];
      if (!(typeUrl instanceof Buffer) || typeUrl.toString('utf8') !== BAD_REQUEST || !(value instanceof Buffer))
        continue;
      for (const [number, violation] of fields(value)) {
        if (number !== 1 || !(violation instanceof Buffer)) continue;
        const parts = fields(violation);
        const text = (n: number) => {
          const part = parts.find(([number]) => number === n)?.[1];
          return part instanceof Buffer ? part.toString('utf8') : '';
        };
        violations.push({ field: text(1), description: text(2) });
      }
    }
    return violations;
  } catch {
    return [];
  }
}

/** Top-level fields of a protobuf message: [field number, varint value or length-delimited bytes]. */
function fields(bytes: Buffer): Array<[number, number | Buffer]> {
  const out: Array<[number, number | Buffer]> = [];
  let offset = 0;
  const varint = (): number => {
    let value = 0;
    let scale = 1;
    for (;;) {
      const byte = bytes[offset];
      if (byte === undefined) throw new Error('truncated varint');
      offset += 1;
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 128;
    }
  };
  while (offset < bytes.length) {
    const key = varint();
    const wireType = key % 8;
    const number = Math.floor(key / 8);
    if (wireType === 0) out.push([number, varint()]);
    else if (wireType === 2) {
      const length = varint();
      if (offset + length > bytes.length) throw new Error('truncated field');
      out.push([number, bytes.subarray(offset, offset + length)]);
      offset += length;
    } else if (wireType === 1) offset += 8;
    else if (wireType === 5) offset += 4;
    else throw new Error(`unsupported wire type ${wireType}`);
  }
  return out;
}
