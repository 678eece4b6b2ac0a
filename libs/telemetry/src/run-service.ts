import { type INestApplicationContext, Logger } from '@nestjs/common';
import { ConfigError } from '@pulse/config';

export interface RunningService {
  app: INestApplicationContext;
  shutdownTimeoutMs: number;
  /** Where it listens, for the start-up log line. */
  listening: string;
}

/**
 * The shell every service's main.ts runs in: a bad configuration stops the process with exit
 * code 78 (EX_CONFIG) and a message naming each variable; SIGTERM/SIGINT drain through Nest's
 * shutdown hooks, bounded by a watchdog so a stuck drain cannot keep a pod terminating forever.
 */
export async function runService(name: string, start: () => Promise<RunningService>): Promise<void> {
  const logger = new Logger(name);
  let running: RunningService;
  try {
    running = await start();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${name}: ${error.message}\n`);
      process.exit(78);
    }
    process.stderr.write(`${name}: failed to start: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(1);
  }
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.log(`${signal} received: draining (up to ${running.shutdownTimeoutMs} ms)`);
      setTimeout(() => {
        process.stderr.write(`${name}: drain did not finish in ${running.shutdownTimeoutMs} ms; exiting\n`);
        process.exit(1);
      }, running.shutdownTimeoutMs).unref();
    });
  }
  logger.log(`ready: ${running.listening}`);
}
