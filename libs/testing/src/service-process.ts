import { loadClientTls } from '@pulse/config';

import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';

import { probeStatus } from './https-probe.js';
import { workspaceRoot } from './test-infra.js';

export interface ServiceProcessOptions {
  /** Service folder under services/ (built into dist/services/<name>). */
  name: string;
  env: Record<string, string>;
  /** URL that answers 200 once the service is ready (its /readyz). */
  readyUrl: string;
  /** Where stdout/stderr go (appended); also kept in memory for failure messages. */
  logFile: string;
  /** Called with each output line (e.g. to print it prefixed). */
  onLine?: (line: string) => void;
}

/** A built Pulse service run as a child process, the way it runs in production. */
export class ServiceProcess {
  private child?: ChildProcess;
  private log?: WriteStream;
  private readonly tail: string[] = [];
  private exited?: Promise<number | null>;

  constructor(readonly options: ServiceProcessOptions) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  recentOutput(): string {
    return this.tail.join('\n');
  }

  async start(timeoutMs = 60_000): Promise<void> {
    mkdirSync(join(this.options.logFile, '..'), { recursive: true });
    this.log = createWriteStream(this.options.logFile, { flags: 'a' });
    const entry = join(workspaceRoot, 'dist/services', this.options.name, 'src/main.js');
    const preload = join(workspaceRoot, 'dist/libs/telemetry/src/preload.js');
    const child = spawn(process.execPath, ['--enable-source-maps', '--import', preload, entry], {
      cwd: workspaceRoot,
      env: { ...process.env, NO_COLOR: '1', ...this.options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Own process group: a Ctrl-C in the terminal reaches only the runner, which then stops the
      // services in order (gateway first, store last) so each stage drains into the next.
      detached: true,
    });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    const onData = (chunk: Buffer) => {
      this.log?.write(chunk);
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.length === 0) continue;
        this.tail.push(line);
        if (this.tail.length > 200) this.tail.shift();
        this.options.onLine?.(line);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    await this.waitReady(timeoutMs);
  }

  /** Graceful stop: SIGTERM, then SIGKILL after the timeout. Resolves with the exit code. */
  async stop(timeoutMs = 30_000): Promise<number | null> {
    if (!this.child || !this.running) return this.child?.exitCode ?? null;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), timeoutMs);
    const code = (await this.exited) ?? null;
    clearTimeout(timer);
    this.log?.end();
    return code;
  }

  /** Sends a signal without waiting (for synchronous exit handlers). */
  signal(signal: NodeJS.Signals): void {
    if (this.running) this.child?.kill(signal);
  }

  /** Crash it: kill -9, no drain. */
  async kill(): Promise<void> {
    if (!this.child || !this.running) return;
    this.child.kill('SIGKILL');
    await this.exited;
    this.log?.end();
  }

  private async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    // https: the CA (and client certificate) of the service's environment (PULSE_TLS_*), which
    // the child inherits from this process and its own options.
    const tls = loadClientTls({ ...process.env, ...this.options.env });
    while (Date.now() < deadline) {
      if (!this.running) {
        throw new Error(
          `${this.options.name} exited during start-up (code ${this.child?.exitCode}):\n${this.recentOutput()}`,
        );
      }
      try {
        const status = await probeStatus(this.options.readyUrl, tls);
        if (status >= 200 && status < 300) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(
      `${this.options.name} was not ready at ${this.options.readyUrl} within ${timeoutMs} ms:\n${this.recentOutput()}`,
    );
  }
}
