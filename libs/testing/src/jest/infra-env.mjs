// Plain ESM on purpose: Jest loads global setup/teardown outside its module transform.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, found by walking up to nx.json (works from the sources and from dist/). */
export const workspaceRoot = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'nx.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the workspace root (nx.json)');
    dir = parent;
  }
  return dir;
})();
const defaults = JSON.parse(readFileSync(join(workspaceRoot, 'libs/testing/test-infra.json'), 'utf8'));

/** The test instance of NATS and Cassandra: own run dir and ports (override with PULSE_TEST_*). */
export function testInfraEnv() {
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

export function runInfra(args, stdio = 'pipe') {
  return spawnSync('bash', [join(workspaceRoot, 'scripts/infra.sh'), ...args], {
    cwd: workspaceRoot,
    env: { ...process.env, ...testInfraEnv() },
    encoding: 'utf8',
    stdio: ['ignore', stdio, stdio],
  });
}
