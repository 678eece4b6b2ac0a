import { ConfigError } from '@pulse/config';
import { freePort, parseInfraEnv, workspaceRoot } from '@pulse/testing';

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { DeliverPolicy } from '@nats-io/jetstream';
import { startFastIngest } from '@nats-io/jetstream/internal';
import { Kvm } from '@nats-io/kv';
import { Objm } from '@nats-io/obj';
import { connect, errors } from '@nats-io/transport-node';
import { Logger } from '@nestjs/common';

import { JetStreamConnection } from './jetstream-connection.js';
import { decodeJson, encodeJson } from './message-codec.js';
import { MessagingModule } from './messaging.module.js';
import { natsClientOptions } from './nats-client-options.js';
import { PullConsumer } from './pull-consumer.js';
import { streamSpecs, type StreamSettingsValues } from './stream-specs.js';

// A private NATS server started by scripts/infra.sh with PULSE_NATS_AUTH=1 and PULSE_NATS_TLS=1:
// the users and permissions it renders from helm/pulse/files/nats-permissions.json, the test CA of
// scripts/gen-test-ca.sh — the configuration of the cluster profile. Each user does what its
// service's code does (same library calls) and is refused what it must not do.

const runDir = mkdtempSync(join(tmpdir(), 'pulse-nats-auth-'));
let infraEnv: Record<string, string>;
let ports: { client: number; monitor: number };

function infra(...args: string[]): string {
  const result = spawnSync('bash', [join(workspaceRoot, 'scripts/infra.sh'), ...args], {
    env: {
      ...process.env,
      PULSE_RUN_DIR: runDir,
      PULSE_NATS_PORT: String(ports.client),
      PULSE_NATS_MONITOR_PORT: String(ports.monitor),
      PULSE_NATS_AUTH: '1',
      PULSE_NATS_TLS: '1',
    },
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (result.status !== 0) throw new Error(`infra.sh ${args.join(' ')}: ${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

const settings: StreamSettingsValues = {
  PULSE_STREAM_REPLICAS: 1,
  PULSE_STREAM_MAX_AGE_HOURS: 1,
  PULSE_STREAM_MAX_BYTES: 64 * 1024 * 1024,
  PULSE_STREAM_DISCARD: 'new',
  PULSE_STREAM_DUPLICATE_WINDOW_SECONDS: 60,
};

/** The environment a service started by the runners gets (local-platform's natsServiceEnv). */
function envOf(user: string): Record<string, string> {
  return {
    PULSE_NATS_USER: user,
    PULSE_NATS_PASSWORD_FILE: join(infraEnv.PULSE_NATS_AUTH_DIR, `${user}.password`),
    PULSE_NATS_TLS_CA_FILE: infraEnv.PULSE_NATS_TLS_CA_FILE,
  };
}

const servers = () => infraEnv.PULSE_NATS_URL.split(',');
const open: JetStreamConnection[] = [];

async function connectAs(user: string, streams: Parameters<typeof streamSpecs>[1] = []): Promise<JetStreamConnection> {
  const connection = new JetStreamConnection({
    servers: servers(),
    name: `${user}-itest`,
    streams: streamSpecs(settings, streams),
    client: natsClientOptions(envOf(user), servers()),
  });
  await connection.open();
  open.push(connection);
  return connection;
}

async function expectRefused(work: Promise<unknown>): Promise<void> {
  await expect(work).rejects.toThrow(/permissions violation/i);
}

/** A core subscription the server refuses closes with a PermissionViolationError. */
async function expectSubscriptionRefused(connection: JetStreamConnection, subject: string): Promise<void> {
  const subscription = connection.nats.subscribe(subject);
  const closed = await Promise.race([
    subscription.closed,
    new Promise((resolve) => setTimeout(() => resolve('still open'), 3_000)),
  ]);
  expect(closed).toBeInstanceOf(errors.PermissionViolationError);
}

describe('NATS users with least privilege (auth + TLS server rendered by scripts/infra.sh)', () => {
  jest.setTimeout(20_000);

  beforeAll(async () => {
    ports = { client: await freePort(), monitor: await freePort() };
    infra('up', 'nats');
    infraEnv = parseInfraEnv(infra('env'));
  }, 120_000);

  afterAll(async () => {
    await Promise.allSettled(open.map((connection) => connection.close()));
    if (ports) infra('down', 'nats');
    rmSync(runDir, { recursive: true, force: true });
  }, 60_000);

  it('prints tls:// URLs, the CA and the password directory for the clients', () => {
    expect(infraEnv.PULSE_NATS_URL).toBe(`tls://127.0.0.1:${ports.client}`);
    expect(readFileSync(infraEnv.PULSE_NATS_TLS_CA_FILE, 'utf8')).toContain('BEGIN CERTIFICATE');
    expect(readFileSync(join(infraEnv.PULSE_NATS_AUTH_DIR, 'cleaner.password'), 'utf8').length).toBeGreaterThan(20);
  });

  it('ingest-gateway provisions PULSE_RAW and publishes pulse.raw.<tenant>, per event and as a fast-ingest batch', async () => {
    const gateway = await connectAs('ingest-gateway', ['raw']);
    await gateway.js.publish('pulse.raw.acme', encodeJson({ n: 1 }), { msgID: 'acme:1' });
    const batch = await startFastIngest(gateway.nats, 'pulse.raw.acme', encodeJson({ n: 2 }), {
      msgID: 'acme:2',
      inboxPrefix: gateway.inboxPrefix,
      allowGaps: false,
    });
    await batch.last('pulse.raw.acme', encodeJson({ n: 3 }), { msgID: 'acme:3' });
    // What only the cleaner may see: the gateway's user reads no stream.
    await expectRefused(gateway.jsm.streams.info('PULSE_CLEAN'));
  });

  it('ingest-gateway publishing to pulse.clean.* is refused, and the refusal is logged with its subject', async () => {
    const errorLog = jest.spyOn(Logger.prototype, 'error');
    const gateway = await connectAs('ingest-gateway');
    await expectRefused(gateway.js.publish('pulse.clean.0', encodeJson({ forged: true })));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(errorLog.mock.calls.map((call) => String(call[0]))).toContainEqual(
      expect.stringMatching(/permissions violation: publish to "pulse\.clean\.0" refused for user ingest-gateway/),
    );
    errorLog.mockRestore();
  });

  it('cleaner consumes PULSE_RAW as durable "cleaner" and publishes clean events and dead letters', async () => {
    const cleaner = await connectAs('cleaner', ['raw', 'clean', 'dlq']);
    const seen: unknown[] = [];
    const consumer = new PullConsumer(cleaner, {
      stream: 'PULSE_RAW',
      durable: 'cleaner',
      filterSubjects: ['pulse.raw.>'],
      maxInFlight: 10,
      ackWaitMs: 5_000,
      maxDeliver: 3,
    });
    let allSeen = () => undefined as void;
    const all = new Promise<void>((resolve) => (allSeen = resolve));
    await consumer.start(async (message) => {
      seen.push(decodeJson(message.data));
      message.ack();
      if (seen.length === 3) allSeen();
    });
    await all;
    await consumer.stop();
    expect(seen).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    await cleaner.js.publish('pulse.clean.3', encodeJson({ event: 1 }), { msgID: 'acme:1' });
    const batch = await startFastIngest(cleaner.nats, 'pulse.clean.3', encodeJson({ event: 2 }), {
      msgID: 'acme:2',
      inboxPrefix: cleaner.inboxPrefix,
      allowGaps: false,
    });
    await batch.last('pulse.clean.3', encodeJson({ event: 3 }), { msgID: 'acme:3' });
    await cleaner.js.publish('pulse.dlq.acme', encodeJson({ reason: 'schema' }), { msgID: 'acme:dlq-1' });
    // Acks reached the server: nothing is pending for the durable.
    const info = await cleaner.jsm.consumers.info('PULSE_RAW', 'cleaner');
    expect(info.num_ack_pending + info.num_pending).toBe(0);
  });

  it('cleaner may not publish partials nor read the aggregator object store', async () => {
    const cleaner = await connectAs('cleaner');
    await expectRefused(cleaner.js.publish('pulse.agg.0', encodeJson({})));
    await expectRefused(new Objm(cleaner.js).open('pulse-aggregator'));
  });

  it('aggregator reads a partition with an ordered consumer, publishes partials, late events and markers, and uses its KV bucket and object store', async () => {
    const aggregator = await connectAs('aggregator', ['clean', 'agg', 'late']);
    const consumer = await aggregator.js.consumers.get('PULSE_CLEAN', {
      filter_subjects: ['pulse.clean.3'],
      deliver_policy: DeliverPolicy.All,
    });
    const messages = await consumer.consume({ max_messages: 10 });
    const events: unknown[] = [];
    for await (const message of messages) {
      events.push(decodeJson(message.data));
      if (events.length === 3) void messages.close();
    }
    expect(events).toEqual([{ event: 1 }, { event: 2 }, { event: 3 }]);
    await aggregator.js.publish('pulse.agg.3', encodeJson({ partial: 1 }), { msgID: 'p3:1' });
    await aggregator.js.publish('pulse.late.acme', encodeJson({ late: 1 }), { msgID: 'acme:late-1' });
    await aggregator.js.publish('pulse.clean.3', encodeJson({ v: 1, advance_to: 1 }));

    const kv = await new Kvm(aggregator.js).create('pulse-aggregator-leases', { history: 1, ttl: 60_000 });
    await kv.put('members.agg-a', '1');
    const revision = await kv.create('partitions.3', 'agg-a');
    await kv.update('partitions.3', 'agg-a', revision);
    const members: string[] = [];
    for await (const key of await kv.keys('members.*')) members.push(key);
    expect(members).toEqual(['members.agg-a']);
    expect((await kv.get('partitions.3'))?.string()).toBe('agg-a');
    await kv.delete('partitions.3');

    const objects = await new Objm(aggregator.js).create('pulse-aggregator', { description: 'itest' });
    await objects.putBlob({ name: 'partition-3' }, new Uint8Array([1, 2, 3]));
    await objects.putBlob({ name: 'partition-3' }, new Uint8Array([4, 5, 6])); // replaces: purges the old chunks
    expect([...((await objects.getBlob('partition-3')) ?? [])]).toEqual([4, 5, 6]);
  });

  it('aggregator may not publish raw events nor take over the cleaner durable', async () => {
    const aggregator = await connectAs('aggregator');
    await expectRefused(aggregator.js.publish('pulse.raw.acme', encodeJson({})));
    await expectRefused(aggregator.jsm.consumers.info('PULSE_RAW', 'cleaner'));
  });

  it('store consumes PULSE_AGG as durable "store"', async () => {
    const store = await connectAs('store', ['agg']);
    const consumer = new PullConsumer(store, {
      stream: 'PULSE_AGG',
      durable: 'store',
      filterSubjects: ['pulse.agg.>'],
      maxInFlight: 10,
      ackWaitMs: 5_000,
      maxDeliver: -1,
    });
    let received = (_body: unknown) => undefined as void;
    const got = new Promise<unknown>((resolve) => (received = resolve));
    await consumer.start(async (message) => {
      message.ack();
      received(decodeJson(message.data));
    });
    expect(await got).toEqual({ partial: 1 });
    await consumer.stop();
  });

  it('store may not read partials past JetStream nor publish anything', async () => {
    const store = await connectAs('store');
    await expectSubscriptionRefused(store, 'pulse.agg.>');
    await expectRefused(store.js.publish('pulse.agg.0', encodeJson({})));
  });

  it('forecast provisions PULSE_ALERTS, publishes an alert and reads it back with an ordered consumer', async () => {
    const forecast = await connectAs('forecast', ['alerts']);
    await forecast.js.publish('pulse.alerts.acme', encodeJson({ id: 'a1' }), { msgID: 'a1' });
    const consumer = await forecast.js.consumers.get('PULSE_ALERTS', { filter_subjects: ['pulse.alerts.acme'] });
    const message = await consumer.next({ expires: 5_000 });
    expect(message && decodeJson(message.data)).toEqual({ id: 'a1' });
    await consumer.delete();
    await expectRefused(forecast.js.publish('pulse.raw.acme', encodeJson({})));
  });

  it('console reads consumer lists and per-tenant counts, and nothing else', async () => {
    const consoleUser = await connectAs('console');
    for (const stream of ['PULSE_RAW', 'PULSE_CLEAN', 'PULSE_AGG']) {
      await consoleUser.jsm.consumers.list(stream).next();
    }
    const dlq = await consoleUser.jsm.streams.info('PULSE_DLQ', { subjects_filter: 'pulse.dlq.acme' });
    expect(dlq.state.subjects?.['pulse.dlq.acme']).toBe(1);
    await consoleUser.jsm.streams.info('PULSE_LATE', { subjects_filter: 'pulse.late.acme' });
    await expectRefused(consoleUser.js.publish('pulse.raw.acme', encodeJson({})));
    await expectRefused(consoleUser.jsm.streams.info('PULSE_RAW'));
  });

  it('admin lists the dead letters, replays one to pulse.raw and deletes it', async () => {
    const admin = await connectAs('admin');
    const info = await admin.jsm.streams.info('PULSE_DLQ', { subjects_filter: 'pulse.dlq.acme' });
    expect(info.state.subjects?.['pulse.dlq.acme']).toBe(1);
    const consumer = await admin.js.consumers.get('PULSE_DLQ', {
      filter_subjects: ['pulse.dlq.acme'],
      deliver_policy: DeliverPolicy.All,
    });
    const letters = [];
    for await (const message of await consumer.fetch({ max_messages: 1, expires: 2_000 })) letters.push(message.seq);
    expect(letters).toHaveLength(1);
    await admin.js.publish('pulse.raw.acme', encodeJson({ n: 4 }), { msgID: 'acme:4' });
    expect(await admin.jsm.streams.deleteMessage('PULSE_DLQ', letters[0], false)).toBe(true);
    await expectRefused(admin.js.publish('pulse.clean.0', encodeJson({})));
  });

  it.each(['ingest-gateway', 'cleaner', 'aggregator', 'store', 'forecast', 'console', 'admin'])(
    '%s may not subscribe to ">" nor to another user\'s inbox',
    async (user) => {
      const connection = await connectAs(user);
      await expectSubscriptionRefused(connection, '>');
      await expectSubscriptionRefused(connection, user === 'cleaner' ? '_INBOX.store.>' : '_INBOX.cleaner.>');
    },
  );

  it('refuses a wrong password', async () => {
    await expect(
      connect({
        servers: servers(),
        user: 'cleaner',
        pass: 'not-the-password',
        tls: { caFile: infraEnv.PULSE_NATS_TLS_CA_FILE },
      }),
    ).rejects.toBeInstanceOf(errors.AuthorizationError);
  });

  it('refuses a plain-text client', async () => {
    // nats.js always upgrades to TLS when the server demands it, so speak the protocol by hand.
    const reply = await new Promise<string>((resolve) => {
      let received = '';
      const socket = createConnection({ host: '127.0.0.1', port: ports.client });
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => {
        received += chunk;
        if (received.startsWith('INFO ') && received.includes('\r\n') && !received.includes('PING')) {
          socket.write('CONNECT {"verbose":false,"user":"console","pass":"x"}\r\nPING\r\n');
        }
      });
      socket.on('close', () => resolve(received));
      socket.on('error', () => undefined);
      setTimeout(() => socket.destroy(), 5_000);
    });
    expect(reply).toMatch(/"tls_required":true/);
    expect(reply).not.toContain('PONG');
  });

  it('refused nothing the services do: every violation the server logged is one a test provoked', () => {
    const provoked = new Set([
      '$JS.API.STREAM.INFO.PULSE_CLEAN',
      '$JS.API.STREAM.INFO.PULSE_RAW',
      '$JS.API.STREAM.INFO.OBJ_pulse-aggregator',
      '$JS.API.CONSUMER.INFO.PULSE_RAW.cleaner',
      'pulse.raw.acme',
      'pulse.clean.0',
      'pulse.agg.0',
      'pulse.agg.>',
      '>',
      '_INBOX.cleaner.>',
      '_INBOX.store.>',
    ]);
    const log = readFileSync(join(runDir, 'nats/logs/nats.log'), 'utf8');
    const refused = [...log.matchAll(/Violation - Subject "([^"]+)"/g)].map((match) => match[1]);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.filter((subject) => !provoked.has(subject))).toEqual([]);
  });

  it('stops a service with a ConfigError naming the variable when its password file is missing', () => {
    const env = { ...envOf('cleaner'), PULSE_NATS_PASSWORD_FILE: join(runDir, 'no-such.password') };
    const saved = { ...process.env };
    Object.assign(process.env, env);
    try {
      expect(() => MessagingModule.forRoot({ servers: servers(), name: 'cleaner', streams: [] })).toThrow(ConfigError);
      expect(() => MessagingModule.forRoot({ servers: servers(), name: 'cleaner', streams: [] })).toThrow(
        /PULSE_NATS_PASSWORD_FILE: file .*no-such\.password does not exist/,
      );
    } finally {
      for (const key of Object.keys(env)) delete process.env[key];
      Object.assign(process.env, saved);
    }
  });
});
