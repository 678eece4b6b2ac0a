import { runInfra, testInfraEnv } from './infra-env.mjs';

/**
 * Starts the real NATS (JetStream) and Cassandra once per Jest run — or finds them already up
 * (`./pulse test` starts them before Jest and stops them after). Never skips: if a server cannot
 * start, the run fails with the server's log.
 */
export default async function globalSetup() {
  const alreadyUp = runInfra(['wait', '--timeout', '1']).status === 0;
  if (!alreadyUp) {
    process.stderr.write('\n[pulse test] starting NATS and Cassandra for this test run...\n');
    const result = runInfra(['up'], 'inherit');
    if (result.status !== 0)
      throw new Error(`scripts/infra.sh up failed (exit ${result.status}); see the output above`);
  }
  Object.assign(process.env, testInfraEnv());
  globalThis.__pulseStartedInfra = !alreadyUp;
}
