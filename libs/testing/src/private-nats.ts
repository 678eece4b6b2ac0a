import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { workspaceRoot } from './test-infra.js';

/**
 * A NATS server (JetStream on) owned by one test — to stop, kill or fill without disturbing the
 * shared test instance. Uses the nats-server that scripts/infra.sh installed into .cache/bin.
 */
export class PrivateNats {
  private child?: ChildProcess;
  private readonly dataDir = mkdtempSync(join(tmpdir(), 'pulse-nats-'));

  constructor(
    readonly port: number,
    private readonly extraArgs: string[] = [],
    /** JetStream `sync_interval` (e.g. `always`); the server default (2 min) when absent. */
    private readonly options: { syncInterval?: string } = {},
  ) {}

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const binary = join(process.env.PULSE_CACHE_DIR ?? join(workspaceRoot, '.cache'), 'bin/nats-server');
    if (!existsSync(binary)) throw new Error(`${binary} missing: run scripts/infra.sh install nats`);
    // sync_interval has no command-line flag: it needs a config file.
    const config: string[] = [];
    if (this.options.syncInterval) {
      const file = join(this.dataDir, 'nats.conf');
      writeFileSync(
        file,
        // The store dir comes from -sd below (naming it in both places is refused).
        `jetstream {\n  sync_interval: ${this.options.syncInterval}\n}\n`,
      );
      config.push('-c', file);
    }
    this.child = spawn(
      binary,
      [...config, '-a', '127.0.0.1', '-p', String(this.port), '-js', '-sd', this.dataDir, ...this.extraArgs],
      { stdio: 'ignore' },
    );
    // Never outlive the test process, even when it dies before its afterAll ran.
    const child = this.child;
    process.once('exit', () => child.kill('SIGKILL'));
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (await this.accepting()) return;
      if (Date.now() > deadline) throw new Error(`private nats-server on ${this.port} did not start`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Graceful stop (SIGTERM); data stays for a restart. */
  async stop(): Promise<void> {
    await this.signal('SIGTERM');
  }

  /** Crash (kill -9); data stays for a restart. */
  async kill(): Promise<void> {
    await this.signal('SIGKILL');
  }

  async destroy(): Promise<void> {
    await this.signal('SIGKILL');
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  private async signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }

  private async accepting(): Promise<boolean> {
    const { createConnection } = await import('node:net');
    return new Promise((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port: this.port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
  }
}
