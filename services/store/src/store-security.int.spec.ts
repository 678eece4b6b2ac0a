import { MetricsClient } from '@pulse/client';
import { hashApiKey } from '@pulse/config';
import { proto } from '@pulse/contracts';
import { channelCredentials } from '@pulse/grpc';
import {
  freePort,
  grpcHealth,
  parseInfraEnv,
  PrivateNats,
  probeStatus,
  ServiceProcess,
  workspaceRoot,
} from '@pulse/testing';

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials } from '@grpc/grpc-js';
import cassandra from 'cassandra-driver';

import { CassandraClient } from './cassandra/cassandra.client.js';
import { type CassandraConfig } from './store.config.js';

// Issue 11: Cassandra with PasswordAuthenticator + client TLS, and the store's endpoints over TLS.
// A Cassandra instance of this file's own (scripts/infra.sh with PULSE_CASSANDRA_AUTH=1 and
// PULSE_CASSANDRA_TLS=1: roles pulse and pulse_admin, the throw-away test CA), beside the shared
// test instance; one node, ~30 s to start (about 15 s when its data dir is kept from a previous run).
const secureInfra: Record<string, string> = {
  PULSE_RUN_DIR: join(workspaceRoot, '.run/test/cassandra-secure'),
  PULSE_CASSANDRA_PORT: '19142',
  PULSE_CASSANDRA_STORAGE_PORT: '17100',
  PULSE_NATS_PORT: '14322',
  PULSE_NATS_MONITOR_PORT: '18322',
  PULSE_CASSANDRA_HEAP: '512M',
  PULSE_CASSANDRA_AUTH: '1',
  PULSE_CASSANDRA_TLS: '1',
};
const tlsDir = join(secureInfra.PULSE_RUN_DIR, 'tls');
const secretsDir = join(secureInfra.PULSE_RUN_DIR, 'secrets/cassandra');
const KEY = 'secure-shop-key';

function infra(...args: string[]): string {
  const result = spawnSync('bash', [join(workspaceRoot, 'scripts/infra.sh'), ...args], {
    env: { ...process.env, ...secureInfra },
    encoding: 'utf8',
    timeout: 300_000,
  });
  if (result.status !== 0) throw new Error(`infra.sh ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/** The message of a rejected promise (fails the test if it resolves). */
async function rejection(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected a rejection');
}

function cql(env: Record<string, string>, username: string, password: string, tls = true): cassandra.Client {
  return new cassandra.Client({
    contactPoints: env.PULSE_CASSANDRA_CONTACT_POINTS.split(','),
    localDataCenter: 'datacenter1',
    authProvider: new cassandra.auth.PlainTextAuthProvider(username, password),
    sslOptions: tls ? { ca: readFileSync(join(tlsDir, 'ca.pem')), rejectUnauthorized: true } : undefined,
    socketOptions: { connectTimeout: 5_000 },
  });
}

describe('the store on a Cassandra with PasswordAuthenticator and TLS', () => {
  let env: Record<string, string>;
  const keyspace = `pulse_sec_${Date.now().toString(36)}`;
  let config: CassandraConfig;

  beforeAll(() => {
    infra('up', 'cassandra');
    env = parseInfraEnv(infra('env'));
    config = {
      PULSE_CASSANDRA_CONTACT_POINTS: env.PULSE_CASSANDRA_CONTACT_POINTS,
      PULSE_CASSANDRA_LOCAL_DC: env.PULSE_CASSANDRA_LOCAL_DC,
      PULSE_CASSANDRA_KEYSPACE: keyspace,
      PULSE_CASSANDRA_REPLICATION_FACTOR: 1,
      PULSE_CASSANDRA_USERNAME: env.PULSE_CASSANDRA_USERNAME,
      PULSE_CASSANDRA_PASSWORD_FILE: env.PULSE_CASSANDRA_PASSWORD_FILE,
      PULSE_CASSANDRA_TLS_CA_FILE: env.PULSE_CASSANDRA_TLS_CA_FILE,
    };
  }, 300_000);

  afterAll(async () => {
    const admin = cql(env, 'pulse_admin', readFileSync(join(secretsDir, 'admin.password'), 'utf8'));
    await admin.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`).catch(() => undefined);
    await admin.execute('DROP KEYSPACE IF EXISTS pulse_sec_admin_owned').catch(() => undefined);
    await admin.shutdown();
    infra('down', 'cassandra');
  }, 120_000);

  it('prints the pulse role, its password file and the CA in `infra.sh env`, never a password', () => {
    expect(env).toMatchObject({
      PULSE_CASSANDRA_USERNAME: 'pulse',
      PULSE_CASSANDRA_PASSWORD_FILE: join(secretsDir, 'pulse.password'),
      PULSE_CASSANDRA_TLS_CA_FILE: join(tlsDir, 'ca.pem'),
    });
    const password = readFileSync(join(secretsDir, 'pulse.password'), 'utf8');
    expect(infra('env')).not.toContain(password);
  });

  it('sets up its keyspace and tables as role pulse over TLS, then writes and reads', async () => {
    const client = new CassandraClient(config);
    await client.onModuleInit();
    try {
      await client.session.execute(
        'INSERT INTO schema_migrations (version, description, applied_at) VALUES (?, ?, ?)',
        [1_000_000, 'security probe', new Date()],
        { prepare: true },
      );
      const row = (
        await client.session.execute('SELECT description FROM schema_migrations WHERE version = 1000000')
      ).first();
      expect(row.get('description')).toBe('security probe');
      // A second start finds the keyspace and skips CREATE KEYSPACE (idempotent set-up).
      const again = new CassandraClient(config);
      await again.onModuleInit();
      await again.onApplicationShutdown();
    } finally {
      await client.onApplicationShutdown();
    }
  }, 120_000);

  it('fails fast with a clear error, naming the role and not the password, when the password is wrong', async () => {
    const wrong = join(mkdtempSync(join(tmpdir(), 'pulse-sec-')), 'wrong.password');
    writeFileSync(wrong, 'not-the-password-42');
    const started = Date.now();
    const message = await rejection(
      new CassandraClient({ ...config, PULSE_CASSANDRA_PASSWORD_FILE: wrong }).onModuleInit(),
    );
    expect(message).toMatch(/^Cassandra refused the credentials of role 'pulse' \(PULSE_CASSANDRA_USERNAME/);
    expect(message).not.toContain('not-the-password-42');
    expect(Date.now() - started).toBeLessThan(20_000); // no three-minute retry loop
    const anonymous = await rejection(
      new CassandraClient({
        ...config,
        PULSE_CASSANDRA_USERNAME: undefined,
        PULSE_CASSANDRA_PASSWORD_FILE: undefined,
      }).onModuleInit(),
    );
    expect(anonymous).toMatch(/^Cassandra requires authentication: set PULSE_CASSANDRA_USERNAME/);
  }, 60_000);

  it('refuses a client without TLS', async () => {
    const plain = cql(env, 'pulse', readFileSync(join(secretsDir, 'pulse.password'), 'utf8'), false);
    await expect(plain.connect()).rejects.toThrow(/All host\(s\) tried for query failed/);
    await plain.shutdown();
  }, 30_000);

  it('refuses role pulse what its grant does not cover: the roles table, keyspaces it did not create, grants', async () => {
    const admin = cql(env, 'pulse_admin', readFileSync(join(secretsDir, 'admin.password'), 'utf8'));
    const pulse = cql(env, 'pulse', readFileSync(join(secretsDir, 'pulse.password'), 'utf8'));
    try {
      await admin.execute(
        "CREATE KEYSPACE IF NOT EXISTS pulse_sec_admin_owned WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}",
      );
      await admin.execute('CREATE TABLE IF NOT EXISTS pulse_sec_admin_owned.secrets (id int PRIMARY KEY, v text)');
      const unauthorized = /User pulse has no (SELECT|DROP|MODIFY|AUTHORIZE|ALTER) permission/;
      expect(await rejection(pulse.execute('SELECT * FROM system_auth.roles'))).toMatch(unauthorized);
      expect(await rejection(pulse.execute('SELECT * FROM pulse_sec_admin_owned.secrets'))).toMatch(unauthorized);
      expect(
        await rejection(pulse.execute("INSERT INTO pulse_sec_admin_owned.secrets (id, v) VALUES (1, 'x')")),
      ).toMatch(unauthorized);
      expect(await rejection(pulse.execute('DROP KEYSPACE pulse_sec_admin_owned'))).toMatch(unauthorized);
      expect(await rejection(pulse.execute('GRANT SELECT ON KEYSPACE pulse_sec_admin_owned TO pulse'))).toMatch(
        /permission|Unauthorized|not authorized/i,
      );
      expect(
        await rejection(pulse.execute("CREATE ROLE intruder WITH LOGIN = true AND PASSWORD = 'x12345678'")),
      ).toMatch(/sufficient privileges/);
      // The default superuser is disabled.
      const defaultSuperuser = cql(env, 'cassandra', 'cassandra');
      expect(await rejection(defaultSuperuser.connect())).toMatch(/All host\(s\) tried/);
      await defaultSuperuser.shutdown();
    } finally {
      await pulse.shutdown();
      await admin.shutdown();
    }
  }, 60_000);

  describe('with its gRPC and HTTP endpoints over TLS (the built store as a process)', () => {
    let nats: PrivateNats;
    let store: ServiceProcess | undefined;
    let httpPort: number;
    let grpcPort: number;
    let keysFile: string;
    let logDir: string;
    const ca = () => readFileSync(join(tlsDir, 'ca.pem'));
    const clientCert = () => ({
      ca: ca(),
      cert: readFileSync(join(tlsDir, 'client.pem')),
      key: readFileSync(join(tlsDir, 'client.key')),
    });

    async function startStore(extra: Record<string, string>, probe: Record<string, string>): Promise<void> {
      await store?.stop();
      store = new ServiceProcess({
        name: 'store',
        env: {
          ...env,
          PULSE_NATS_URL: nats.url,
          PULSE_API_KEYS_FILE: keysFile,
          PULSE_CASSANDRA_KEYSPACE: keyspace,
          PULSE_STORE_HOST: '127.0.0.1',
          PULSE_STORE_HTTP_PORT: String(httpPort),
          PULSE_STORE_GRPC_PORT: String(grpcPort),
          PULSE_TLS_CERT_FILE: join(tlsDir, 'server.pem'),
          PULSE_TLS_KEY_FILE: join(tlsDir, 'server.key'),
          ...extra,
          // What the readiness probe trusts and presents (the store ignores PULSE_TLS_CA_FILE).
          ...probe,
        },
        readyUrl: `https://127.0.0.1:${httpPort}/readyz`,
        logFile: join(logDir, 'store.log'),
      });
      await store.start(120_000);
    }

    beforeAll(async () => {
      nats = new PrivateNats(await freePort());
      await nats.start();
      logDir = mkdtempSync(join(tmpdir(), 'pulse-store-tls-'));
      keysFile = join(logDir, 'keys.json');
      writeFileSync(keysFile, JSON.stringify({ keys: [{ tenant: 'secure-shop', sha256: hashApiKey(KEY) }] }));
      [httpPort, grpcPort] = [await freePort(), await freePort()];
      await startStore({}, { PULSE_TLS_CA_FILE: join(tlsDir, 'ca.pem') });
    }, 180_000);

    afterAll(async () => {
      await store?.stop();
      await nats?.stop();
    }, 60_000);

    it('answers gRPC over TLS to a client that trusts the CA, and a query reads Cassandra as role pulse', async () => {
      const address = `127.0.0.1:${grpcPort}`;
      expect(await grpcHealth(address, 'pulse.store.v1.MetricsService', channelCredentials({ ca: ca() }))).toBe(
        'SERVING',
      );
      const hour = 3_600_000;
      const to = Math.floor(Date.now() / hour) * hour;
      const query = {
        metrics: ['orders'],
        granularity: proto.pulse.store.v1.Granularity.GRANULARITY_HOUR,
        gapFill: proto.pulse.store.v1.GapFill.GAP_FILL_ZERO,
        from: to - 2 * hour,
        to,
      };
      // Explicit credentials, and libs/client's default: PULSE_TLS_CA_FILE from the environment.
      const explicit = new MetricsClient({
        address,
        apiKey: KEY,
        deadlineMs: 10_000,
        channelCredentials: channelCredentials({ ca: ca() }),
      });
      process.env.PULSE_TLS_CA_FILE = join(tlsDir, 'ca.pem');
      const fromEnv = new MetricsClient({ address, apiKey: KEY, deadlineMs: 10_000 });
      delete process.env.PULSE_TLS_CA_FILE;
      try {
        expect((await explicit.getSeries(query)).points).toHaveLength(2);
        expect((await fromEnv.getSeries(query)).points).toHaveLength(2);
      } finally {
        explicit.close();
        fromEnv.close();
      }
    }, 60_000);

    it('refuses gRPC clients without TLS and clients that do not trust the CA', async () => {
      const address = `127.0.0.1:${grpcPort}`;
      await expect(grpcHealth(address, '', credentials.createInsecure())).rejects.toMatchObject({ code: 14 });
      await expect(grpcHealth(address, '', credentials.createSsl())).rejects.toMatchObject({ code: 14 });
    }, 30_000);

    it('serves HTTPS to a client that trusts the CA, and neither plain HTTP nor an untrusting client', async () => {
      expect(await probeStatus(`https://127.0.0.1:${httpPort}/readyz`, { ca: ca() }, 3_000)).toBe(200);
      expect(await rejection(probeStatus(`https://127.0.0.1:${httpPort}/readyz`, undefined, 3_000))).toMatch(
        /self.signed|unable to (get|verify)/i,
      );
      await expect(probeStatus(`http://127.0.0.1:${httpPort}/readyz`, undefined, 3_000)).rejects.toThrow();
    }, 30_000);

    it('with PULSE_TLS_CLIENT_CA_FILE refuses clients without a certificate and serves those with one', async () => {
      const clientCa = join(tlsDir, 'ca.pem');
      await startStore(
        { PULSE_TLS_CLIENT_CA_FILE: clientCa },
        {
          PULSE_TLS_CA_FILE: join(tlsDir, 'ca.pem'),
          // The probe presents the server certificate (serverAuth+clientAuth), as services do.
        },
      );
      const address = `127.0.0.1:${grpcPort}`;
      const withCert = clientCert();
      expect(await grpcHealth(address, '', channelCredentials(withCert))).toBe('SERVING');
      await expect(grpcHealth(address, '', channelCredentials({ ca: ca() }))).rejects.toMatchObject({ code: 14 });
      expect(await probeStatus(`https://127.0.0.1:${httpPort}/readyz`, withCert, 3_000)).toBe(200);
      await expect(probeStatus(`https://127.0.0.1:${httpPort}/readyz`, { ca: ca() }, 3_000)).rejects.toThrow();
    }, 180_000);
  });
});
