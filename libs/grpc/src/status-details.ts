/** `grpc-status-details-bin` for INVALID_ARGUMENT: a google.rpc.Status carrying a BadRequest. */
// google.rpc.Status { int32 code = 1; string message = 2; repeated google.protobuf.Any details = 3; }
// google.protobuf.Any { string type_url = 1; bytes value = 2; }
// google.rpc.BadRequest { repeated FieldViolation field_violations = 1; }
// google.rpc.BadRequest.FieldViolation { string field = 1; string description = 2; }
// Four tiny messages: encoded by hand rather than vendoring googleapis into proto/. The store and
// the forecast service send it with INVALID_ARGUMENT; @pulse/client's rpc-error.ts reads it.

function varint(value: number): Buffer {
  const bytes: number[] = [];
  let rest = value;
  while (rest > 0x7f) {
    bytes.push((rest & 0x7f) | 0x80);
    rest = Math.floor(rest / 128);
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}

function lengthDelimited(fieldNumber: number, payload: Buffer | string): Buffer {
  const bytes = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  return Buffer.concat([varint((fieldNumber << 3) | 2), varint(bytes.length), bytes]);
}

export function statusDetails(
  code: number,
  message: string,
  violations: ReadonlyArray<{ field: string; description: string }>,
): Buffer {
  const badRequest = Buffer.concat(
    violations.map((violation) =>
      lengthDelimited(
        1,
        Buffer.concat([lengthDelimited(1, violation.field), lengthDelimited(2, violation.description)]),
      ),
    ),
  );
  const any = Buffer.concat([
    lengthDelimited(1, 'type.googleapis.com/google.rpc.BadRequest'),
    lengthDelimited(2, badRequest),
  ]);
  return Buffer.concat([varint((1 << 3) | 0), varint(code), lengthDelimited(2, message), lengthDelimited(3, any)]);
}
