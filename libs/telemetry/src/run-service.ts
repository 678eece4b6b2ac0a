import { ConfigError } from '@pulse/config';

import { Logger, type INestApplicationContext } from '@nestjs/common';

import { flushTelemetry } from './sdk-lifecycle.js';
import { installServiceLogger, logSettingsFromEnv } from './service-logger.js';
import { setMeterService } from './service-meter.js';

export interface RunningService {
  app: INestApplicationContext;
  shutdownTimeoutMs: number;
  /** Where it listens, for the start-up log line. */
  listening: string;
}

/**
 * The shell every service's main.ts runs in: a bad configuration stops the process with exit
 * code 78 (EX_CONFIG) and a message naming each variable. SIGTERM/SIGINT close the Nest app —
 * consumers stop pulling and finish what they hold, then connections drain — and the process
 * exits 0 only when that drain completed; a watchdog exits 1 if it takes longer than the budget.
 *
 * Every Nest logger of the process (`new Logger(context)`, Nest's own) writes through the service
 * logger installed here first: JSON lines with the service name and the active span's trace id
 * (PULSE_LOG_LEVEL, PULSE_LOG_FORMAT; see createServiceLogger).
 */
export async function runService(name: string, start: () => Promise<RunningService>): Promise<void> {
  const logger = new Logger(name);
  let running: RunningService;
  setMeterService(name);
  try {
    installServiceLogger(name, logSettingsFromEnv(process.env));
    running = await start();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${name}: ${error.message}\n`);
      process.exit(78);
    }
    process.stderr.write(`${name}: failed to start: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(1);
  }
  let draining = false;
  const drain = async (signal: NodeJS.Signals) => {
    if (draining) return;
    draining = true;
    logger.log(`${signal} received: draining (up to ${running.shutdownTimeoutMs} ms)`);
    setTimeout(() => {
      process.stderr.write(`${name}: drain did not finish in ${running.shutdownTimeoutMs} ms; exiting\n`);
      process.exit(1);
    }, running.shutdownTimeoutMs).unref();
    try {
      await running.app.close();
    } catch (error) {
      process.stderr.write(`${name}: shutdown failed: ${(error as Error)?.stack ?? String(error)}\n`);
      process.exit(1);
    }
    logger.log('drained; exiting');
    await flushTelemetry();
    process.exit(0);
  };
  process.on('SIGTERM', () => void drain('SIGTERM'));
  process.on('SIGINT', () => void drain('SIGINT'));
  logger.log(`ready: ${running.listening}`);
}
