import { ConfigError } from '@pulse/config';

import { ConsoleLogger, Logger, type LoggerService } from '@nestjs/common';
import { isSpanContextValid, trace } from '@opentelemetry/api';
import { pino, type DestinationStream, type Level, type Logger as Pino } from 'pino';

type Env = Record<string, string | undefined>;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
export type ServiceLogLevel = (typeof LOG_LEVELS)[number];

export interface LogSettings {
  /** PULSE_LOG_LEVEL: the lowest level written (default `info`). */
  level: ServiceLogLevel;
  /** PULSE_LOG_FORMAT: `json` (default, one object per line) or `pretty` (Nest's console format, for a terminal). */
  format: 'json' | 'pretty';
}

/** Reads PULSE_LOG_LEVEL and PULSE_LOG_FORMAT; a bad value is a ConfigError naming the variable. */
export function logSettingsFromEnv(env: Env): LogSettings {
  const problems: string[] = [];
  const level = (env.PULSE_LOG_LEVEL?.trim().toLowerCase() || 'info') as ServiceLogLevel;
  if (!LOG_LEVELS.includes(level)) {
    problems.push(`PULSE_LOG_LEVEL: must be one of ${LOG_LEVELS.join(', ')} (got ${env.PULSE_LOG_LEVEL})`);
  }
  const format = (env.PULSE_LOG_FORMAT?.trim().toLowerCase() || 'json') as LogSettings['format'];
  if (format !== 'json' && format !== 'pretty') {
    problems.push(`PULSE_LOG_FORMAT: must be json or pretty (got ${env.PULSE_LOG_FORMAT})`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { level, format };
}

/**
 * Fields that must never reach a log line if code ever logs an object holding them: API keys and
 * other credentials, client addresses, and the personal fields of a raw event.
 */
export const REDACTED_FIELDS = [
  'apiKey',
  'api_key',
  'authorization',
  'password',
  'secret',
  'pseudonymKey',
  'ip',
  'remoteAddress',
  'user_id',
  'userId',
  'email',
  'phone',
  'name',
  'address',
  'user_agent',
  'headers["x-api-key"]',
  'headers.authorization',
  '*.apiKey',
  '*.api_key',
  '*.authorization',
  '*.ip',
  '*.user_id',
  '*.email',
  '*.phone',
  '*.headers["x-api-key"]',
  '*.headers.authorization',
];

/** `scheme://user:password@host` → `scheme://***@host`: server lists are logged at start-up. */
export function scrubCredentials(text: string): string {
  return text.includes('@') ? text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi, '$1***@') : text;
}

/** The active span's ids, merged into every line written inside a span. */
function activeSpanIds(): { trace_id?: string; span_id?: string } {
  const span = trace.getActiveSpan();
  if (!span) return {};
  const context = span.spanContext();
  return isSpanContextValid(context) ? { trace_id: context.traceId, span_id: context.spanId } : {};
}

export function createPino(service: string, level: ServiceLogLevel, destination?: DestinationStream): Pino {
  return pino(
    {
      level,
      base: { service },
      messageKey: 'msg',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin: activeSpanIds,
      redact: { paths: REDACTED_FIELDS, censor: '[redacted]' },
    },
    // Synchronous: runService exits with process.exit() right after its last line.
    destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

const STACK = /\n\s+at /;

/**
 * Nest's LoggerService on pino: `new Logger('Ctx').warn('text')` arrives here as
 * `warn('text', 'Ctx')`, `error('text', stack?, 'Ctx')`. The context becomes a field, a stack an
 * `err.stack`, an Error its message and stack, an object its fields (after redaction).
 */
export class PinoLoggerService implements LoggerService {
  constructor(readonly pino: Pino) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: Level, message: unknown, params: unknown[]): void {
    if (!this.pino.isLevelEnabled(level)) return;
    const fields: Record<string, unknown> = {};
    const rest = [...params];
    if (rest.length > 0 && (typeof rest[rest.length - 1] === 'string' || rest[rest.length - 1] === undefined)) {
      const context = rest.pop();
      if (context !== undefined) fields.context = context;
    }
    for (const param of rest) {
      if (typeof param === 'string' && STACK.test(param)) fields.err = { stack: scrubCredentials(param) };
      else if (param instanceof Error) fields.err = { type: param.name, stack: scrubCredentials(param.stack ?? '') };
    }
    let text: string;
    if (message instanceof Error) {
      text = message.message;
      fields.err = { type: message.name, stack: scrubCredentials(message.stack ?? '') };
    } else if (typeof message === 'object' && message !== null) {
      Object.assign(fields, message);
      text =
        typeof (message as { message?: unknown }).message === 'string' ? (message as { message: string }).message : '';
    } else {
      text = String(message);
    }
    this.pino[level](fields, scrubCredentials(text));
  }
}

/** The logger a service runs with: pino JSON lines by default, Nest's console format when asked. */
export function createServiceLogger(service: string, settings: LogSettings): LoggerService {
  if (settings.format === 'pretty') {
    const levels = LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(settings.level) + 1).map((level) =>
      level === 'info' ? 'log' : level === 'trace' ? 'verbose' : level,
    );
    return new ConsoleLogger({ logLevels: levels as never });
  }
  return new PinoLoggerService(createPino(service, settings.level));
}

/** Index in LOG_LEVELS of the lowest level the installed logger writes; none before installation. */
let threshold: number | undefined;

/**
 * Makes the service logger the one every Nest Logger of the process writes through (Nest's own
 * included: NestFactory keeps an override when it is given no logger).
 */
export function installServiceLogger(service: string, settings: LogSettings): LoggerService {
  const logger = createServiceLogger(service, settings);
  Logger.overrideLogger(logger);
  threshold = LOG_LEVELS.indexOf(settings.level);
  return logger;
}

/**
 * Whether the installed logger writes `level`: a guard for per-message debug lines, so that their
 * text is not even built when they would be dropped. False when no service logger is installed.
 */
export function logLevelEnabled(level: ServiceLogLevel): boolean {
  return threshold !== undefined && LOG_LEVELS.indexOf(level) <= threshold;
}
