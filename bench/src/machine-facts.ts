/** What a benchmark report must say about where it ran: hardware, OS, versions, commit. */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { arch, cpus, release, totalmem } from 'node:os';
import { join } from 'node:path';
import cassandra from 'cassandra-driver';

export interface MachineFacts {
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  os: string;
  kernel: string;
  arch: string;
  node: string;
  java: string;
  nats: string;
  cassandra: string;
  gitCommit: string;
  /** Uncommitted changes to tracked files when the benchmark ran. */
  gitDirty: boolean;
  date: string;
}

function run(command: string, args: string[], cwd: string): { out: string; ok: boolean } {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_OPTIONAL_LOCKS: '0' } });
  return { out: `${result.stdout ?? ''}${result.stderr ?? ''}`.trim(), ok: result.status === 0 };
}

/** `openjdk version "17.0.15" 2025-04-15` → `17.0.15 (openjdk)`. */
export function parseJavaVersion(output: string): string | undefined {
  const match = /^(\S+) version "([^"]+)"/m.exec(output);
  return match ? `${match[2]} (${match[1]})` : undefined;
}

/** `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"` of /etc/os-release. */
export function parseOsRelease(text: string): string | undefined {
  return /^PRETTY_NAME="?([^"\n]+)"?$/m.exec(text)?.[1];
}

async function cassandraRelease(contactPoint: string): Promise<string | undefined> {
  const client = new cassandra.Client({
    contactPoints: [contactPoint],
    localDataCenter: 'datacenter1',
    socketOptions: { connectTimeout: 5_000, readTimeout: 5_000 },
  });
  try {
    const result = await client.execute('SELECT release_version FROM system.local');
    return String(result.first()?.get('release_version') ?? '');
  } catch {
    return undefined;
  } finally {
    await client.shutdown().catch(() => undefined);
  }
}

export async function machineFacts(workspaceRoot: string, cassandraContactPoint: string): Promise<MachineFacts> {
  const natsBinary = join(process.env.PULSE_CACHE_DIR ?? join(workspaceRoot, '.cache'), 'bin/nats-server');
  const nats = existsSync(natsBinary) ? run(natsBinary, ['--version'], workspaceRoot) : undefined;
  const commit = run('git', ['rev-parse', '--short=12', 'HEAD'], workspaceRoot);
  const status = run('git', ['status', '--porcelain', '--untracked-files=no'], workspaceRoot);
  let os = 'unknown';
  try {
    os = parseOsRelease(readFileSync('/etc/os-release', 'utf8')) ?? os;
  } catch {
    // not Linux, or a minimal container
  }
  const cassandraVersion = await cassandraRelease(cassandraContactPoint);
  return {
    cores: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 1024 ** 3),
    os,
    kernel: `Linux ${release()}`,
    arch: arch(),
    node: process.version,
    java: parseJavaVersion(run('java', ['-version'], workspaceRoot).out) ?? 'not found',
    nats: nats?.ok ? nats.out.replace(/^nats-server:\s*/, '') : 'not installed',
    cassandra: cassandraVersion
      ? `${cassandraVersion} (at ${cassandraContactPoint})`
      : `not reachable at ${cassandraContactPoint}`,
    gitCommit: commit.ok ? commit.out : 'unknown',
    gitDirty: status.ok && status.out.length > 0,
    date: new Date().toISOString(),
  };
}
