// Roles and grants of a local Cassandra with PasswordAuthenticator (scripts/infra.sh runs this after
// `up` when auth is on; there is no cqlsh without a Python driver, so cassandra-driver does it).
// Idempotent, following Cassandra 5's "Enabling password authentication":
//   1. system_auth replicated to PULSE_CASSANDRA_AUTH_RF nodes (infra.sh repairs it afterwards),
//   2. a new superuser pulse_admin (random password in SECRETS/admin.password) and the default
//      superuser cassandra/cassandra disabled (LOGIN = false, SUPERUSER = false),
//   3. the service role pulse (LOGIN, random password in SECRETS/pulse.password) with CREATE on
//      ALL KEYSPACES only: Cassandra grants a role every permission on the keyspaces it creates,
//      so pulse owns its own keyspace(s) and cannot read or change anything else (docs/security.md).
// Its password is (re)set from the file on every run: rotating it = new file content + `up`.
//
//   PULSE_CASSANDRA_CONTACT_POINTS   host:port,...      PULSE_CASSANDRA_SECRETS_DIR   dir (mode 700)
//   PULSE_CASSANDRA_AUTH_RF          1-9                PULSE_CASSANDRA_TLS_CA_FILE   PEM CA (TLS on)
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import cassandra from 'cassandra-driver';

const ADMIN = 'pulse_admin';
const SERVICE = 'pulse';
const env = process.env;
const contactPoints = (env.PULSE_CASSANDRA_CONTACT_POINTS ?? '127.0.0.1:9042').split(',').filter(Boolean);
const secretsDir = env.PULSE_CASSANDRA_SECRETS_DIR;
const rf = Number(env.PULSE_CASSANDRA_AUTH_RF ?? '1');
const caFile = env.PULSE_CASSANDRA_TLS_CA_FILE || undefined;
if (!secretsDir || !Number.isInteger(rf) || rf < 1 || rf > 9) {
  console.error('cassandra-auth-setup: PULSE_CASSANDRA_SECRETS_DIR and PULSE_CASSANDRA_AUTH_RF (1-9) are required');
  process.exit(2);
}

/** A password file: created once with 24 random bytes (hex: safe inside a CQL string literal). */
function password(name) {
  mkdirSync(secretsDir, { recursive: true, mode: 0o700 });
  chmodSync(secretsDir, 0o700);
  const file = join(secretsDir, `${name}.password`);
  if (!existsSync(file)) writeFileSync(file, randomBytes(24).toString('hex'), { mode: 0o600 });
  chmodSync(file, 0o600);
  const value = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  if (!/^[^']{8,}$/.test(value)) throw new Error(`${file}: a password needs 8+ characters and no single quote`);
  return value;
}

function client(username, secret) {
  return new cassandra.Client({
    contactPoints,
    localDataCenter: 'datacenter1',
    authProvider: new cassandra.auth.PlainTextAuthProvider(username, secret),
    sslOptions: caFile ? { ca: readFileSync(caFile), rejectUnauthorized: true } : undefined,
    // Role changes are written at EACH_QUORUM by Cassandra itself; reads of ours at QUORUM.
    queryOptions: { consistency: cassandra.types.consistencies.quorum },
    socketOptions: { connectTimeout: 5_000, readTimeout: 30_000 },
    protocolOptions: { maxSchemaAgreementWaitSeconds: 30 },
  });
}

const isBadCredentials = (error) =>
  Object.values(error?.innerErrors ?? {}).some(
    (inner) => inner instanceof cassandra.errors.AuthenticationError && /incorrect/i.test(inner.message),
  );

/** Connects as `username`; false if the credentials are refused. Retries while auth is not ready. */
async function tryConnect(username, secret) {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const session = client(username, secret);
    try {
      await session.connect();
      return session;
    } catch (error) {
      await session.shutdown().catch(() => undefined);
      if (isBadCredentials(error)) return false;
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }
}

process.on('unhandledRejection', (error) => {
  // The message only: a failed statement's text would show a password.
  console.error(`cassandra-auth-setup: ${error?.message ?? error}`);
  process.exit(1);
});

const adminPassword = password('admin');
const servicePassword = password('pulse');
writeFileSync(join(secretsDir, 'admin.username'), ADMIN, { mode: 0o600 });

let session = await tryConnect(ADMIN, adminPassword);
if (!session) {
  // First run: only the default superuser exists (created by Cassandra at start-up).
  const bootstrap = await tryConnect('cassandra', 'cassandra');
  if (!bootstrap) {
    throw new Error(
      `neither ${ADMIN} (${join(secretsDir, 'admin.password')}) nor the default superuser can log in: ` +
        'the data dir belongs to other secrets (reset Cassandra or restore the file)',
    );
  }
  await bootstrap.execute(
    `ALTER KEYSPACE system_auth WITH replication = {'class': 'NetworkTopologyStrategy', 'datacenter1': ${rf}}`,
  );
  await bootstrap.execute(
    `CREATE ROLE IF NOT EXISTS ${ADMIN} WITH SUPERUSER = true AND LOGIN = true AND PASSWORD = '${adminPassword}'`,
  );
  await bootstrap.shutdown();
  session = await tryConnect(ADMIN, adminPassword);
  if (!session) throw new Error(`${ADMIN} was created but cannot log in`);
}
// Again on every run (cheap, idempotent): a replication factor or a cassandra role left behind by
// an interrupted first run is fixed.
await session.execute(
  `ALTER KEYSPACE system_auth WITH replication = {'class': 'NetworkTopologyStrategy', 'datacenter1': ${rf}}`,
);
await session.execute(`ALTER ROLE cassandra WITH SUPERUSER = false AND LOGIN = false`);
await session.execute(`CREATE ROLE IF NOT EXISTS ${SERVICE} WITH LOGIN = true AND PASSWORD = '${servicePassword}'`);
await session.execute(`GRANT CREATE ON ALL KEYSPACES TO ${SERVICE}`);
// A changed pulse.password (rotation) is applied; Cassandra 5 refuses a second change within 5 s,
// so only when the file's password does not log in already.
const check = await tryConnect(SERVICE, servicePassword);
if (check) await check.shutdown();
else await session.execute(`ALTER ROLE ${SERVICE} WITH LOGIN = true AND PASSWORD = '${servicePassword}'`);
await session.shutdown();
console.log(`cassandra-auth-setup: system_auth RF ${rf}; roles ${ADMIN} (superuser) and ${SERVICE} ready`);
