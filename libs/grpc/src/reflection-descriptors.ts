/**
 * proto-loader leaves `FileDescriptorProto.dependency` empty (grpc/grpc-node#2595), and
 * @grpc/reflection serves the files as they are: a reflection client such as grpcurl can list the
 * services but cannot link a file that uses another file's type (google.protobuf.Timestamp), so
 * it can neither describe nor call a method (grpc/grpc-node#2958). `withFileDependencies` adds the
 * missing `dependency` entries — each file depends on the files defining the types its fields and
 * methods name — by appending field 3 to the encoded descriptors (protobuf fields may come in
 * any order). A few lines of wire format rather than a dependency on protobufjs' internals.
 */

/** The slice of a proto-loader PackageDefinition this needs. */
type Definition = Record<string, unknown>;

interface FileInfo {
  name: string;
  bytes: Buffer;
  dependencies: Set<string>;
  /** Fully-qualified names of the messages and enums it defines. */
  defines: string[];
  /** Type names it references, each with the scope it appears in (for relative names). */
  references: Array<{ name: string; scope: string }>;
}

type Field = [number, number | Buffer];

function fieldsOf(bytes: Buffer): Field[] {
  const out: Field[] = [];
  let offset = 0;
  const varint = (): number => {
    let value = 0;
    let scale = 1;
    for (;;) {
      const byte = bytes[offset];
      if (byte === undefined) throw new Error('truncated descriptor');
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
      out.push([number, bytes.subarray(offset, offset + length)]);
      offset += length;
    } else if (wireType === 1) offset += 8;
    else if (wireType === 5) offset += 4;
    else throw new Error(`unsupported wire type ${wireType} in a descriptor`);
  }
  return out;
}

const text = (fields: Field[], number: number): string => {
  const value = fields.find(([n]) => n === number)?.[1];
  return value instanceof Buffer ? value.toString('utf8') : '';
};
const messages = (fields: Field[], number: number): Buffer[] =>
  fields.filter(([n, value]) => n === number && value instanceof Buffer).map(([, value]) => value as Buffer);

// FileDescriptorProto: name 1, package 2, dependency 3, message_type 4, enum_type 5, service 6.
// DescriptorProto: name 1, field 2, nested_type 3, enum_type 4. FieldDescriptorProto: type_name 6.
// EnumDescriptorProto: name 1. ServiceDescriptorProto: method 2. MethodDescriptorProto: input 2, output 3.
function describe(bytes: Buffer): FileInfo {
  const file = fieldsOf(bytes);
  const pkg = text(file, 2);
  const info: FileInfo = {
    name: text(file, 1),
    bytes,
    dependencies: new Set(messages(file, 3).map((dependency) => dependency.toString('utf8'))),
    defines: [],
    references: [],
  };
  const qualify = (scope: string, name: string) => (scope ? `${scope}.${name}` : name);
  const visitMessage = (message: Buffer, scope: string) => {
    const fields = fieldsOf(message);
    const fqn = qualify(scope, text(fields, 1));
    info.defines.push(fqn);
    for (const field of messages(fields, 2)) {
      const typeName = text(fieldsOf(field), 6);
      if (typeName) info.references.push({ name: typeName, scope: fqn });
    }
    for (const nested of messages(fields, 3)) visitMessage(nested, fqn);
    for (const enumType of messages(fields, 4)) info.defines.push(qualify(fqn, text(fieldsOf(enumType), 1)));
  };
  for (const message of messages(file, 4)) visitMessage(message, pkg);
  for (const enumType of messages(file, 5)) info.defines.push(qualify(pkg, text(fieldsOf(enumType), 1)));
  for (const service of messages(file, 6)) {
    for (const method of messages(fieldsOf(service), 2)) {
      const fields = fieldsOf(method);
      for (const number of [2, 3]) info.references.push({ name: text(fields, number), scope: pkg });
    }
  }
  return info;
}

/** Protobuf name resolution: absolute (`.a.b.C`), else innermost scope outwards. */
function resolve(name: string, scope: string, definedIn: Map<string, string>): string | undefined {
  if (name.startsWith('.')) return definedIn.get(name.slice(1));
  for (let current = scope; ; current = current.slice(0, Math.max(0, current.lastIndexOf('.')))) {
    const file = definedIn.get(current ? `${current}.${name}` : name);
    if (file || !current) return file;
  }
}

function lengthDelimited(fieldNumber: number, value: string): Buffer {
  const bytes = Buffer.from(value, 'utf8');
  const varint = (n: number) => {
    const out: number[] = [];
    while (n > 0x7f) {
      out.push((n & 0x7f) | 0x80);
      n = Math.floor(n / 128);
    }
    out.push(n);
    return out;
  };
  return Buffer.concat([Buffer.from([...varint((fieldNumber << 3) | 2), ...varint(bytes.length)]), bytes]);
}

/** A copy of `definition` whose file descriptors list the files they depend on. */
export function withFileDependencies<T extends object>(definition: T): T {
  const entries = Object.entries(definition as Definition);
  const files = new Map<string, FileInfo>();
  for (const [, entry] of entries) {
    const protos = (entry as { fileDescriptorProtos?: unknown }).fileDescriptorProtos;
    if (!Array.isArray(protos)) continue;
    for (const bytes of protos) {
      if (!(bytes instanceof Uint8Array)) continue;
      const info = describe(Buffer.from(bytes));
      if (info.name && !files.has(info.name)) files.set(info.name, info);
    }
  }
  const definedIn = new Map<string, string>();
  for (const file of files.values()) for (const fqn of file.defines) definedIn.set(fqn, file.name);
  const patched = new Map<string, Buffer>();
  for (const file of files.values()) {
    const missing = new Set<string>();
    for (const { name, scope } of file.references) {
      const dependency = resolve(name, scope, definedIn);
      if (dependency && dependency !== file.name && !file.dependencies.has(dependency)) missing.add(dependency);
    }
    patched.set(
      file.name,
      missing.size === 0
        ? file.bytes
        : Buffer.concat([file.bytes, ...[...missing].sort().map((dependency) => lengthDelimited(3, dependency))]),
    );
  }
  const patch = (bytes: unknown) => {
    if (!(bytes instanceof Uint8Array)) return bytes;
    return patched.get(text(fieldsOf(Buffer.from(bytes)), 1)) ?? bytes;
  };
  return Object.fromEntries(
    entries.map(([key, entry]) => {
      const protos = (entry as { fileDescriptorProtos?: unknown }).fileDescriptorProtos;
      return [key, Array.isArray(protos) ? { ...(entry as object), fileDescriptorProtos: protos.map(patch) } : entry];
    }),
  ) as T;
}
