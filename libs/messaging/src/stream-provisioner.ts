import {
  DiscardPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type JetStreamManager,
  type StreamConfig,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';

import { type StreamSpec } from './stream-specs.js';

/** JetStream API error 10058: "stream name already in use with a different configuration". */
const STREAM_NAME_IN_USE = 10058;

function toConfig(spec: StreamSpec): Partial<StreamConfig> & { name: string } {
  return {
    name: spec.name,
    subjects: spec.subjects,
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    num_replicas: spec.replicas,
    max_age: nanos(spec.maxAgeMs),
    max_bytes: spec.maxBytes,
    duplicate_window: nanos(spec.duplicateWindowMs),
    discard: spec.discard === 'old' ? DiscardPolicy.Old : DiscardPolicy.New,
    ...(spec.allowBatched ? { allow_batched: true } : {}),
  };
}

/**
 * Creates each stream if missing, or updates it in place when the config changed (replicas,
 * limits, duplicate window). Safe to run from every replica at every start-up.
 */
export async function ensureStreams(jsm: JetStreamManager, specs: readonly StreamSpec[]): Promise<void> {
  for (const spec of specs) {
    const wanted = toConfig(spec);
    try {
      const info = await jsm.streams.info(spec.name);
      const current = info.config;
      const changed =
        current.num_replicas !== wanted.num_replicas ||
        current.max_age !== wanted.max_age ||
        current.max_bytes !== wanted.max_bytes ||
        current.duplicate_window !== wanted.duplicate_window ||
        current.discard !== wanted.discard ||
        Boolean(current.allow_batched) !== Boolean(wanted.allow_batched) ||
        current.subjects.join() !== spec.subjects.join();
      if (changed) await jsm.streams.update(spec.name, { ...current, ...wanted });
    } catch (error) {
      if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound) {
        try {
          await jsm.streams.add(wanted);
        } catch (addError) {
          // Another replica created it between our info and add: that is the outcome we wanted.
          if (!(addError instanceof JetStreamApiError && addError.code === STREAM_NAME_IN_USE)) {
            throw addError;
          }
        }
      } else {
        throw error;
      }
    }
  }
}
