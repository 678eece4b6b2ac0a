import { messageId, validateRawEvent, type RawEventV1 } from '@pulse/contracts';

/** One line of the file an operator edits: the DLQ message it fixes and the corrected event. */
export interface ReplayLine {
  dlq_seq: number;
  event: unknown;
}

export type PlannedReplay =
  | { ok: true; line: number; dlqSeq: number; event: RawEventV1; msgId: string }
  | { ok: false; line: number; reason: string };

/**
 * Turns the operator's NDJSON into what to publish. Each corrected event passes the same
 * structural validation as the gateway; the msg id carries the DLQ sequence so the replay is
 * deduplicated against itself (running the same file twice) but not against the original raw
 * message, which JetStream may still remember under `<tenant>:<event_id>`.
 */
export function planReplay(tenant: string, ndjson: string): PlannedReplay[] {
  const plans: PlannedReplay[] = [];
  ndjson.split('\n').forEach((text, index) => {
    const line = index + 1;
    if (text.trim() === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      plans.push({ ok: false, line, reason: `not JSON: ${(error as Error).message}` });
      return;
    }
    const { dlq_seq: dlqSeq, event } = (parsed ?? {}) as Partial<ReplayLine>;
    if (!Number.isSafeInteger(dlqSeq) || (dlqSeq as number) < 1) {
      plans.push({ ok: false, line, reason: 'dlq_seq must be the positive DLQ sequence the line fixes' });
      return;
    }
    const validation = validateRawEvent(event);
    if (!validation.ok) {
      plans.push({ ok: false, line, reason: validation.reason });
      return;
    }
    plans.push({
      ok: true,
      line,
      dlqSeq: dlqSeq as number,
      event: validation.event,
      msgId: `${messageId(tenant, validation.event.event_id)}:replay:${dlqSeq}`,
    });
  });
  return plans;
}
