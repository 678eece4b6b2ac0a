/**
 * `pulse admin` — operator commands against a running Pulse.
 *
 *   pulse admin dlq list   --tenant T [--reason R] [--json]    dead letters of a tenant
 *   pulse admin dlq export --tenant T [--reason R]             NDJSON to edit: {"dlq_seq", "reason", "event"}
 *   pulse admin dlq replay --tenant T --file fixed.ndjson [--dry-run]
 *                                                             re-submit corrected events, drop their dead letters
 * NATS from --nats or PULSE_NATS_URL (default nats://127.0.0.1:4222); user and TLS from
 * PULSE_NATS_USER (the `admin` user), PULSE_NATS_PASSWORD_FILE and PULSE_NATS_TLS_* (docs/security.md).
 */
import { ConfigError } from '@pulse/config';
import { assertTenantId } from '@pulse/contracts';
import { natsClientOptions, type NatsClientOptions } from '@pulse/messaging';

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';

import { planReplay } from './dlq/dlq-replay-plan.js';
import { replayDeadLetters } from './dlq/dlq-replayer.js';
import { readDeadLetters } from './dlq/dlq-store.js';

const USAGE = `usage:
  pulse admin dlq list   --tenant T [--reason R] [--json]
  pulse admin dlq export --tenant T [--reason R]            > fixed.ndjson, then edit each "event"
  pulse admin dlq replay --tenant T --file fixed.ndjson [--dry-run]
  (NATS from --nats or PULSE_NATS_URL, default nats://127.0.0.1:4222; user and TLS from
   PULSE_NATS_USER, PULSE_NATS_PASSWORD_FILE, PULSE_NATS_TLS_CA_FILE — see docs/security.md)`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    tenant: { type: 'string' },
    reason: { type: 'string' },
    file: { type: 'string' },
    nats: { type: 'string', default: process.env.PULSE_NATS_URL ?? 'nats://127.0.0.1:4222' },
    json: { type: 'boolean', default: false },
    'dry-run': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

function fail(message: string): never {
  process.stderr.write(`pulse admin: ${message}\n\n${USAGE}\n`);
  process.exit(2);
}

const [area, command] = positionals;
if (values.help || area !== 'dlq' || !['list', 'export', 'replay'].includes(command ?? '')) fail('unknown command');
if (!values.tenant) fail('--tenant is required');
let tenant: string;
try {
  tenant = assertTenantId(values.tenant);
} catch (error) {
  fail((error as Error).message);
}

const servers = values.nats.split(',');
let client: NatsClientOptions;
try {
  client = natsClientOptions(process.env, servers);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`pulse admin: ${error.message}\n`);
  process.exit(78);
}
const nc = await connect({ ...client, servers, name: 'pulse-admin', timeout: 5_000 }).catch((error: Error) =>
  fail(`cannot reach NATS at ${values.nats}: ${error.message}`),
);
const js = jetstream(nc);
const jsm = await jetstreamManager(nc);
try {
  if (command === 'replay') {
    if (!values.file) fail('--file is required for replay');
    const plans = planReplay(tenant, readFileSync(values.file, 'utf8'));
    const outcome = await replayDeadLetters(js, jsm, tenant, plans, values['dry-run']);
    process.stdout.write(`${JSON.stringify(outcome, null, values.json ? 0 : 2)}\n`);
    process.exitCode = outcome.invalid.length + outcome.failed.length > 0 ? 1 : 0;
  } else {
    const letters = (await readDeadLetters(js, jsm, tenant)).filter(
      (l) => !values.reason || l.reason === values.reason,
    );
    if (command === 'export') {
      for (const letter of letters) {
        process.stdout.write(
          `${JSON.stringify({ dlq_seq: letter.seq, reason: letter.reason, detail: letter.detail, event: letter.payload?.fields ?? { event_id: letter.event_id } })}\n`,
        );
      }
    } else if (values.json) {
      process.stdout.write(`${JSON.stringify(letters)}\n`);
    } else {
      process.stdout.write(`${letters.length} dead letter(s) for ${tenant}\n`);
      for (const letter of letters)
        process.stdout.write(`  #${letter.seq}  ${letter.event_id}  ${letter.reason}  ${letter.detail}\n`);
    }
  }
} finally {
  await nc.close();
}
