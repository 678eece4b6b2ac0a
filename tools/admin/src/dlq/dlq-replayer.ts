import { STREAMS, subjects } from '@pulse/contracts';
import { encodeJson } from '@pulse/messaging';

import { type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';

import { type PlannedReplay } from './dlq-replay-plan.js';

export interface ReplayOutcome {
  replayed: number;
  alreadyReplayed: number;
  invalid: Array<{ line: number; reason: string }>;
  failed: Array<{ line: number; reason: string }>;
}

/**
 * Re-submits corrected events to `pulse.raw.<tenant>` (so they are cleaned like any event) and
 * removes each fixed dead letter once its replacement is persisted. Publishing first and deleting
 * second means a crash in between leaves the dead letter, and the rerun's publish is deduplicated.
 */
export async function replayDeadLetters(
  js: JetStreamClient,
  jsm: JetStreamManager,
  tenant: string,
  plans: readonly PlannedReplay[],
  dryRun: boolean,
): Promise<ReplayOutcome> {
  const outcome: ReplayOutcome = { replayed: 0, alreadyReplayed: 0, invalid: [], failed: [] };
  for (const plan of plans) {
    if (!plan.ok) {
      outcome.invalid.push({ line: plan.line, reason: plan.reason });
      continue;
    }
    if (dryRun) {
      outcome.replayed += 1;
      continue;
    }
    try {
      const ack = await js.publish(subjects.raw(tenant), encodeJson(plan.event), { msgID: plan.msgId });
      if (ack.duplicate) outcome.alreadyReplayed += 1;
      else outcome.replayed += 1;
      await jsm.streams.deleteMessage(STREAMS.dlq.name, plan.dlqSeq, false).catch(() => false);
    } catch (error) {
      outcome.failed.push({ line: plan.line, reason: (error as Error).message });
    }
  }
  return outcome;
}
