import { infra, isTestInfraRunning, testInfraEnv } from '../test-infra.js';

/**
 * Starts the real NATS (JetStream) and Cassandra once per Jest run — or finds them already up
 * (`./pulse test` starts them before Jest and stops them after). Never skips: if a server cannot
 * start, the run fails with the server's log.
 */
export default async function globalSetup(): Promise<void> {
  const alreadyUp = isTestInfraRunning();
  if (!alreadyUp) {
    process.stderr.write('\n[pulse test] starting NATS and Cassandra for the test run...\n');
    process.stderr.write(infra('up'));
  }
  Object.assign(process.env, testInfraEnv());
  (globalThis as { __pulseStartedInfra?: boolean }).__pulseStartedInfra = !alreadyUp;
}
