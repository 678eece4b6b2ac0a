import { infra } from '../test-infra.js';

/** Stops the servers only if this run started them and nobody asked to keep them. */
export default async function globalTeardown(): Promise<void> {
  const started = (globalThis as { __pulseStartedInfra?: boolean }).__pulseStartedInfra;
  if (started && !process.env.PULSE_TEST_KEEP_INFRA) infra('down');
}
