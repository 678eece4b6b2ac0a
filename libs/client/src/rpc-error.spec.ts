import { Metadata, status } from '@grpc/grpc-js';

import { fieldViolations, isServiceError, statusName } from './rpc-error.js';

/** A google.rpc.Status with one BadRequest violation, byte by byte (protobuf wire format). */
function badRequestStatus(field: string, description: string): Buffer {
  const str = (tag: number, text: string) => {
    const bytes = Buffer.from(text, 'utf8');
    return Buffer.concat([Buffer.from([tag, bytes.length]), bytes]);
  };
  const msg = (tag: number, body: Buffer) => Buffer.concat([Buffer.from([tag, body.length]), body]);
  const violation = Buffer.concat([str(0x0a, field), str(0x12, description)]);
  const badRequest = msg(0x0a, violation);
  const any = Buffer.concat([str(0x0a, 'type.googleapis.com/google.rpc.BadRequest'), msg(0x12, badRequest)]);
  return Buffer.concat([Buffer.from([0x08, 3]), str(0x12, `${field}: ${description}`), msg(0x1a, any)]);
}

function serviceError(details?: Buffer) {
  const metadata = new Metadata();
  if (details) metadata.set('grpc-status-details-bin', details);
  return Object.assign(new Error('3 INVALID_ARGUMENT: k: must be 1 to 100'), {
    code: status.INVALID_ARGUMENT,
    details: 'k: must be 1 to 100',
    metadata,
  });
}

describe('fieldViolations', () => {
  it('reads the field violations of a google.rpc.BadRequest detail', () => {
    expect(fieldViolations(serviceError(badRequestStatus('k', 'must be 1 to 100')))).toEqual([
      { field: 'k', description: 'must be 1 to 100' },
    ]);
  });

  it('answers [] without details, for other errors and for garbage', () => {
    expect(fieldViolations(serviceError())).toEqual([]);
    expect(fieldViolations(new Error('plain'))).toEqual([]);
    expect(fieldViolations(serviceError(Buffer.from([0x1a, 0x50, 0x01])))).toEqual([]);
  });
});

describe('statusName and isServiceError', () => {
  it('names codes and recognises grpc-js errors', () => {
    expect(statusName(status.UNAVAILABLE)).toBe('UNAVAILABLE');
    expect(statusName(99)).toBe('code 99');
    expect(isServiceError(serviceError())).toBe(true);
    expect(isServiceError(new Error('x'))).toBe(false);
  });
});
