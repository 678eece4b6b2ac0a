import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, found from this file so tests work from any cwd. */
export const workspaceRoot = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'nx.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the workspace root (nx.json)');
    dir = parent;
  }
  return dir;
})();

const defaults = JSON.parse(readFileSync(join(workspaceRoot, 'libs/testing/test-infra.json'), 'utf8')) as {
  runDir: string;
  natsPort: number;
  natsMonitorPort: number;
  cassandraPort: number;
  cassandraStoragePort: number;
};

/**
 * The test instance of the real servers: its own run dir and ports (libs/testing/test-infra.json,
 * shared with the Jest global setup), so the suite can run while the demo platform is up.
 */
export function testInfraEnv(): Record<string, string> {
  const env = process.env;
  const natsPort = env.PULSE_TEST_NATS_PORT ?? String(defaults.natsPort);
  const cassandraPort = env.PULSE_TEST_CASSANDRA_PORT ?? String(defaults.cassandraPort);
  return {
    PULSE_RUN_DIR: env.PULSE_TEST_RUN_DIR ?? join(workspaceRoot, defaults.runDir),
    PULSE_NATS_PORT: natsPort,
    PULSE_NATS_MONITOR_PORT: env.PULSE_TEST_NATS_MONITOR_PORT ?? String(defaults.natsMonitorPort),
    PULSE_CASSANDRA_PORT: cassandraPort,
    PULSE_CASSANDRA_STORAGE_PORT: env.PULSE_TEST_CASSANDRA_STORAGE_PORT ?? String(defaults.cassandraStoragePort),
    PULSE_NATS_URL: `nats://127.0.0.1:${natsPort}`,
    PULSE_CASSANDRA_CONTACT_POINTS: `127.0.0.1:${cassandraPort}`,
    PULSE_CASSANDRA_LOCAL_DC: 'datacenter1',
  };
}

/** Runs `scripts/infra.sh <args>` for the test instance; throws with its output on failure. */
export function infra(...args: string[]): string {
  const result = spawnSync('bash', [join(workspaceRoot, 'scripts/infra.sh'), ...args], {
    cwd: workspaceRoot,
    env: { ...process.env, ...testInfraEnv() },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (result.status !== 0) {
    throw new Error(
      `scripts/infra.sh ${args.join(' ')} failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`,
    );
  }
  return result.stdout;
}
