import { runInfra } from './infra-env.mjs';

/** Stops the servers only if this run started them and nobody asked to keep them. */
export default async function globalTeardown() {
  if (globalThis.__pulseStartedInfra && !process.env.PULSE_TEST_KEEP_INFRA) runInfra(['down'], 'inherit');
}
