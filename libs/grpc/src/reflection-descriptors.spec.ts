import { loadSync } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';

import { LOADER_OPTIONS, PROTO_FILES, protoDir } from './proto-files.js';
import { withFileDependencies } from './reflection-descriptors.js';

/** The `dependency` entries (field 3) of an encoded FileDescriptorProto, read byte by byte. */
function dependenciesOf(bytes: Uint8Array): string[] {
  const out: string[] = [];
  let offset = 0;
  const varint = () => {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = bytes[offset++]!;
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
    }
  };
  while (offset < bytes.length) {
    const key = varint();
    if (key % 8 === 0) varint();
    else if (key % 8 === 2) {
      const length = varint();
      if (key >> 3 === 3) out.push(Buffer.from(bytes.subarray(offset, offset + length)).toString('utf8'));
      offset += length;
    } else throw new Error(`wire type ${key % 8}`);
  }
  return out;
}

type Reflection = {
  v1: {
    handleServerReflectionRequest(request: object): {
      fileDescriptorResponse?: { fileDescriptorProto: Uint8Array[] };
    };
  };
};

describe('withFileDependencies', () => {
  const definition = loadSync(PROTO_FILES.store, { ...LOADER_OPTIONS, includeDirs: [protoDir()] });

  it('makes the store file depend on the file defining google.protobuf.Timestamp, as reflection serves it', () => {
    const reflection = new ReflectionService(withFileDependencies(definition)) as unknown as Reflection;
    const response = reflection.v1.handleServerReflectionRequest({
      messageRequest: 'fileContainingSymbol',
      fileContainingSymbol: 'pulse.store.v1.MetricsService',
    });
    const [service, ...rest] = response.fileDescriptorResponse!.fileDescriptorProto;
    expect(dependenciesOf(service!)).toEqual(['google_protobuf.proto']);
    expect(rest.map(dependenciesOf)).toEqual([[]]);
  });

  it('leaves proto-loader’s own definition alone and is idempotent', () => {
    const patched = withFileDependencies(definition);
    const original = (definition['pulse.store.v1.GetSeriesRequest'] as { fileDescriptorProtos: Uint8Array[] })
      .fileDescriptorProtos;
    expect(original.map(dependenciesOf)).toEqual([[], []]);
    const again = withFileDependencies(patched);
    const protos = (again['pulse.store.v1.GetSeriesRequest'] as { fileDescriptorProtos: Uint8Array[] })
      .fileDescriptorProtos;
    expect(protos.map(dependenciesOf).flat()).toEqual(['google_protobuf.proto']);
  });
});
