import { TimeZone } from '../time/time-zone.js';
import { Catalogue, DEFAULT_CATALOGUE, type CatalogueOptions } from './catalogue.js';
import { EmitQueue } from './emit-queue.js';
import { applicableDirt, applyDirt } from './event-dirt.js';
import { DEFAULT_SEASONALITY, Seasonality, type SeasonalityProfile } from './seasonality.js';
import { SeededRandom } from './seeded-random.js';
import {
  DEFAULT_FUNNEL,
  expectedEventsPerSession,
  materialize,
  planSession,
  type FunnelRates,
  type SessionInfo,
  type SessionStep,
} from './shopper-session.js';
import { type EventMeta, type EventQuality, type SimulatedEvent } from './simulated-event.js';

export interface ShopTrafficConfig {
  seed: string | number;
  /** stream time of the first event, epoch ms (the caller's clock: the generator reads none) */
  start: number;
  /** mean events per second over a week; at an instant it is rate × seasonality factor */
  rate: number;
  /** makes event, session and order ids unique across runs; default `<seed>-<start in base 36>` */
  runId?: string;
  seasonality?: SeasonalityProfile;
  /** the shop's IANA time zone, where its days and weeks begin */
  timeZone?: string;
  catalogue?: Partial<CatalogueOptions>;
  funnel?: Partial<FunnelRates>;
  /** number of distinct logged-in shoppers */
  userPool?: number;
  /** share of events that are dirty (original events, not counting duplicates) */
  dirtyFraction?: number;
  /** share of the dirty events that are unusable; the rest are fixable */
  unusableShare?: number;
  /** share of the sent stream that are client-retry copies of an earlier event (at most 0.5) */
  duplicateFraction?: number;
  /** share of events sent late: 1 ms to maxLatenessMs after their occurred_at */
  lateFraction?: number;
  maxLatenessMs?: number;
  /**
   * Sessions start this long before `start` and only what is sent from `start` on is kept, so the
   * stream begins in its steady state rather than with a minute of page views.
   */
  warmUpMs?: number;
}

export type ResolvedTrafficConfig = Readonly<
  Required<Omit<ShopTrafficConfig, 'catalogue' | 'funnel'>> & { catalogue: CatalogueOptions; funnel: FunnelRates }
>;

export interface TrafficCounts {
  sessions: number;
  events: number;
  clean: number;
  fixable: number;
  unusable: number;
  duplicates: number;
  late: number;
}

/** A planned event waiting for its send time: kept small, the wire event is built when it is sent. */
interface Pending {
  info: SessionInfo;
  step: SessionStep;
  emitAt: number;
  lateByMs?: number;
  /** a client-retry copy of this earlier pending event */
  copyOf?: Pending;
  /** a copy will follow: keep what was sent for it */
  copied: boolean;
  sent?: SimulatedEvent;
}

const MEAN_RETRY_DELAY_MS = 2_000;
const MAX_RETRY_DELAY_MS = 30_000;

export function resolveTrafficConfig(given: ShopTrafficConfig): ResolvedTrafficConfig {
  // An option passed as undefined means "the default", not "undefined".
  const config = Object.fromEntries(
    Object.entries(given).filter(([, value]) => value !== undefined),
  ) as unknown as ShopTrafficConfig;
  const resolved = {
    runId: `${String(config.seed)}-${config.start.toString(36)}`,
    seasonality: DEFAULT_SEASONALITY,
    timeZone: 'UTC',
    userPool: 20_000,
    dirtyFraction: 0,
    unusableShare: 0.5,
    duplicateFraction: 0,
    lateFraction: 0,
    maxLatenessMs: 120_000,
    warmUpMs: 120_000,
    ...config,
    catalogue: { ...DEFAULT_CATALOGUE, ...config.catalogue },
    funnel: { ...DEFAULT_FUNNEL, ...config.funnel },
  };
  const fraction = (name: string, value: number, max = 1) => {
    if (!(value >= 0 && value <= max)) throw new RangeError(`${name} must be between 0 and ${max}, got ${value}`);
  };
  if (!Number.isFinite(resolved.start)) throw new RangeError('start must be epoch milliseconds');
  if (!(resolved.rate > 0 && Number.isFinite(resolved.rate))) throw new RangeError('rate must be > 0 events/s');
  fraction('dirtyFraction', resolved.dirtyFraction);
  fraction('unusableShare', resolved.unusableShare);
  fraction('duplicateFraction', resolved.duplicateFraction, 0.5);
  fraction('lateFraction', resolved.lateFraction);
  for (const [name, value] of Object.entries(resolved.funnel)) fraction(`funnel.${name}`, value);
  if (!(resolved.maxLatenessMs >= 1)) throw new RangeError('maxLatenessMs must be ≥ 1');
  if (!(resolved.warmUpMs >= 0)) throw new RangeError('warmUpMs must be ≥ 0');
  if (!(Number.isInteger(resolved.userPool) && resolved.userPool >= 1)) throw new RangeError('userPool must be ≥ 1');
  if (!/^[A-Za-z0-9._-]{1,40}$/.test(resolved.runId)) {
    throw new RangeError('runId must be 1–40 letters, digits, ".", "_" or "-"');
  }
  return Object.freeze(resolved);
}

/**
 * The simulated shop as an endless stream of events in send order. Shoppers arrive as a Poisson
 * process whose rate follows the seasonality (by thinning), each session is planned whole
 * (planSession), and every event then independently may be made dirty, sent late, or sent twice.
 * Pure and deterministic: the same config gives the same stream, event for event.
 */
export class ShopTraffic implements Iterable<SimulatedEvent> {
  readonly config: ResolvedTrafficConfig;
  readonly catalogue: Catalogue;
  readonly seasonality: Seasonality;
  /** mean events per session, duplicates included */
  readonly eventsPerSession: number;
  private readonly counts: TrafficCounts = {
    sessions: 0,
    events: 0,
    clean: 0,
    fixable: 0,
    unusable: 0,
    duplicates: 0,
    late: 0,
  };
  private readonly queue = new EmitQueue<Pending>();
  private readonly sessionRandom: SeededRandom;
  private readonly arrivalRandom: SeededRandom;
  private readonly dirtRandom: SeededRandom;
  private readonly lateRandom: SeededRandom;
  private readonly duplicateRandom: SeededRandom;
  /** chance that an original event gets a retry copy, so copies are duplicateFraction of the stream */
  private readonly copyChance: number;
  /** session arrivals per ms at seasonality factor 1 */
  private readonly sessionsPerMs: number;
  private nextArrival: number;
  private sessionIndex = 0;

  constructor(config: ShopTrafficConfig) {
    this.config = resolveTrafficConfig(config);
    const root = new SeededRandom(this.config.seed);
    this.catalogue = new Catalogue(root.fork('catalogue'), this.config.catalogue);
    this.seasonality = new Seasonality(this.config.seasonality, TimeZone.of(this.config.timeZone));
    this.sessionRandom = root.fork('sessions');
    this.arrivalRandom = root.fork('arrivals');
    this.dirtRandom = root.fork('dirt');
    this.lateRandom = root.fork('late');
    this.duplicateRandom = root.fork('duplicates');
    const d = this.config.duplicateFraction;
    this.copyChance = d / (1 - d);
    this.eventsPerSession = expectedEventsPerSession(this.config.funnel) / (1 - d);
    this.sessionsPerMs = this.config.rate / 1000 / this.eventsPerSession;
    this.nextArrival = this.drawArrival(this.config.start - this.config.warmUpMs);
  }

  /** Counts so far: sessions started since `start`, events emitted (by quality: originals only). */
  stats(): Readonly<TrafficCounts> {
    return { ...this.counts };
  }

  /** Send time of the next event. */
  peekTime(): number {
    this.fill();
    return this.queue.peekAt();
  }

  next(): SimulatedEvent {
    this.fill();
    const pending = this.queue.pop();
    if (pending === undefined) throw new Error('unreachable: the traffic never runs dry');
    const sent = pending.copyOf ? this.copy(pending) : this.send(pending);
    this.count(sent.meta);
    return sent;
  }

  /** Every event sent before `time` that has not been taken yet. */
  takeBefore(time: number): SimulatedEvent[] {
    const taken: SimulatedEvent[] = [];
    while (this.peekTime() < time) taken.push(this.next());
    return taken;
  }

  *[Symbol.iterator](): Iterator<SimulatedEvent> {
    for (;;) yield this.next();
  }

  /** Plans sessions until the earliest pending event is certainly the next one to send. */
  private fill(): void {
    while (Math.round(this.nextArrival) <= this.queue.peekAt()) {
      this.arrive(this.nextArrival);
      this.nextArrival = this.drawArrival(this.nextArrival);
    }
  }

  /** Non-homogeneous Poisson arrivals by thinning: candidates at the peak rate, kept at factor/peak. */
  private drawArrival(from: number): number {
    const peak = this.seasonality.peak;
    const meanGapMs = 1 / (this.sessionsPerMs * peak);
    let at = from;
    for (;;) {
      at += this.arrivalRandom.exponential(meanGapMs);
      if (this.arrivalRandom.next() * peak <= this.seasonality.factorAt(at)) return at;
    }
  }

  /** Plans a session; decides now which of its events are sent late or twice (that sets their send times). */
  private arrive(at: number): void {
    const index = this.sessionIndex;
    this.sessionIndex += 1;
    if (at >= this.config.start) this.counts.sessions += 1;
    const { info, steps } = planSession(index, at, this.sessionRandom, {
      runId: this.config.runId,
      catalogue: this.catalogue,
      funnel: this.config.funnel,
      userPool: this.config.userPool,
    });
    for (const step of steps) {
      const pending: Pending = { info, step, emitAt: step.at, copied: false };
      if (this.lateRandom.chance(this.config.lateFraction)) {
        pending.lateByMs = 1 + this.lateRandom.int(this.config.maxLatenessMs);
        pending.emitAt += pending.lateByMs;
      }
      // Due during the warm-up: never sent, so never queued.
      if (pending.emitAt < this.config.start) continue;
      this.queue.push(pending.emitAt, pending);
      if (this.duplicateRandom.chance(this.copyChance)) {
        pending.copied = true;
        const delay = Math.min(
          MAX_RETRY_DELAY_MS,
          100 + Math.round(this.duplicateRandom.exponential(MEAN_RETRY_DELAY_MS)),
        );
        this.queue.push(pending.emitAt + delay, {
          info,
          step,
          emitAt: pending.emitAt + delay,
          copyOf: pending,
          copied: false,
        });
      }
    }
  }

  /** Builds the wire event, dirty or not (the dirt is drawn in send order, so deterministically). */
  private send(pending: Pending): SimulatedEvent {
    const { event, expected, market } = materialize(pending.info, pending.step);
    const meta: EventMeta = {
      type: expected.type,
      quality: 'clean',
      emitAt: pending.emitAt,
      sessionIndex: pending.info.index,
      expected,
    };
    let sent = event;
    if (this.dirtRandom.chance(this.config.dirtyFraction)) {
      const quality: EventQuality = this.dirtRandom.chance(this.config.unusableShare) ? 'unusable' : 'fixable';
      const dirt = this.dirtRandom.pick(applicableDirt(event, quality, market));
      const dirty = applyDirt(dirt, event, expected, this.dirtRandom);
      sent = dirty.event;
      meta.quality = quality;
      meta.dirt = dirt;
      if (dirty.expected) meta.expected = dirty.expected;
      else delete meta.expected;
      if (dirty.rejectedBy) meta.rejectedBy = dirty.rejectedBy;
      if (dirty.dlqReason) meta.dlqReason = dirty.dlqReason;
    }
    if (pending.lateByMs !== undefined) meta.lateByMs = pending.lateByMs;
    const simulated = { event: sent, meta };
    if (pending.copied) pending.sent = simulated;
    return simulated;
  }

  /** The retry copy: the same bytes as the original, which was sent before it. */
  private copy(pending: Pending): SimulatedEvent {
    const original = pending.copyOf?.sent;
    if (original === undefined) throw new Error('unreachable: a copy is sent after its original');
    if (pending.copyOf) pending.copyOf.sent = undefined;
    const meta: EventMeta = { ...original.meta, emitAt: pending.emitAt, duplicateOf: original.event.event_id };
    delete meta.expected;
    return { event: { ...original.event }, meta };
  }

  private count(meta: EventMeta): void {
    this.counts.events += 1;
    if (meta.duplicateOf !== undefined) {
      this.counts.duplicates += 1;
      return;
    }
    this.counts[meta.quality] += 1;
    if (meta.lateByMs !== undefined) this.counts.late += 1;
  }
}
