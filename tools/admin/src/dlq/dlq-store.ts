import { STREAMS, subjects } from '@pulse/contracts';

import { DeliverPolicy, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';

/** A dead letter as the cleaner wrote it (see docs/cleaning.md). */
export interface DeadLetter {
  seq: number;
  reason: string;
  detail: string;
  event_id: string;
  payload: { fields?: Record<string, unknown>; user_key?: string; redacted?: string[] } | null;
}

/** Every dead letter of a tenant still in the DLQ stream, oldest first. */
export async function readDeadLetters(
  js: JetStreamClient,
  jsm: JetStreamManager,
  tenant: string,
): Promise<DeadLetter[]> {
  const subject = subjects.dlq(tenant);
  const info = await jsm.streams.info(STREAMS.dlq.name, { subjects_filter: subject });
  const total = info.state.subjects?.[subject] ?? 0;
  if (total === 0) return [];
  const consumer = await js.consumers.get(STREAMS.dlq.name, {
    filter_subjects: [subject],
    deliver_policy: DeliverPolicy.All,
  });
  const letters: DeadLetter[] = [];
  while (letters.length < total) {
    const messages = await consumer.fetch({ max_messages: Math.min(1000, total - letters.length), expires: 2_000 });
    let got = 0;
    for await (const message of messages) {
      got += 1;
      const body = JSON.parse(new TextDecoder().decode(message.data)) as Omit<DeadLetter, 'seq'>;
      letters.push({ ...body, seq: message.seq });
    }
    if (got === 0) break;
  }
  return letters;
}
