import { Type } from '@sinclair/typebox';

/** Settings every service shares, by their `PULSE_<THING>` names. */
export const NatsSettings = {
  PULSE_NATS_URL: Type.String({ default: 'nats://127.0.0.1:4222', description: 'comma-separated NATS server URLs' }),
  // The service's NATS user and TLS (all optional; read by natsClientOptions in @pulse/messaging,
  // see docs/security.md "NATS"). A password is only ever read from a file.
  PULSE_NATS_USER: Type.Optional(Type.String({ description: 'NATS user; needs PULSE_NATS_PASSWORD_FILE' })),
  PULSE_NATS_PASSWORD_FILE: Type.Optional(Type.String({ description: "file holding the user's password" })),
  PULSE_NATS_TLS_CA_FILE: Type.Optional(Type.String({ description: 'PEM CA; set = TLS to NATS on' })),
  PULSE_NATS_TLS_CERT_FILE: Type.Optional(Type.String({ description: 'PEM client certificate' })),
  PULSE_NATS_TLS_KEY_FILE: Type.Optional(Type.String({ description: 'PEM client key' })),
};

export const CassandraSettings = {
  PULSE_CASSANDRA_CONTACT_POINTS: Type.String({ default: '127.0.0.1:9042', description: 'comma-separated host:port' }),
  PULSE_CASSANDRA_LOCAL_DC: Type.String({ default: 'datacenter1' }),
  PULSE_CASSANDRA_KEYSPACE: Type.String({ default: 'pulse', pattern: '^[a-z][a-z0-9_]{0,47}$' }),
  PULSE_CASSANDRA_REPLICATION_FACTOR: Type.Integer({ default: 1, minimum: 1, maximum: 9 }),
  // Credentials and TLS (all optional; read by loadCassandraSecurity, see docs/security.md).
  PULSE_CASSANDRA_USERNAME: Type.Optional(Type.String({ description: 'PasswordAuthenticator role' })),
  PULSE_CASSANDRA_PASSWORD_FILE: Type.Optional(Type.String({ description: 'file holding the role password' })),
  PULSE_CASSANDRA_TLS_CA_FILE: Type.Optional(Type.String({ description: 'PEM CA; set = client TLS on' })),
  PULSE_CASSANDRA_TLS_CERT_FILE: Type.Optional(Type.String({ description: 'PEM client certificate' })),
  PULSE_CASSANDRA_TLS_KEY_FILE: Type.Optional(Type.String({ description: 'PEM client key' })),
};

export const PartitionSettings = {
  PULSE_PARTITIONS: Type.Integer({ default: 16, minimum: 1, maximum: 4096 }),
};

export const ShutdownSettings = {
  PULSE_SHUTDOWN_TIMEOUT_MS: Type.Integer({ default: 25_000, minimum: 100 }),
};

/** `host:port,host:port` → the list cassandra-driver expects. */
export function splitList(value: string): string[] {
  return value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
}
