/**
 * The wall clock the service decides by which windows have closed (epoch ms). Injected so tests
 * can drive the watcher and the forecasts through simulated days; call deadlines always use real
 * time.
 */
export type Clock = () => number;

export const CLOCK = Symbol('CLOCK');

export const systemClock: Clock = () => Date.now();
