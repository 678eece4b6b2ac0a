import { type Static, type TObject } from '@sinclair/typebox';
import { Ajv } from 'ajv';

import { ConfigError } from './config-error.js';

const ajv = new Ajv({ coerceTypes: true, useDefaults: true, allErrors: true, strict: false });

/**
 * Parses environment variables with a TypeBox schema whose property names *are* the variable
 * names (`PULSE_NATS_URL`, ...). Values are coerced (numbers, booleans), defaults applied, and the
 * result frozen. Every problem is reported at once, each naming its variable, so a service that
 * refuses to start says exactly what to fix.
 */
export function loadConfig<S extends TObject>(
  schema: S,
  env: Record<string, string | undefined> = process.env,
): Readonly<Static<S>> {
  const candidate: Record<string, unknown> = {};
  for (const key of Object.keys(schema.properties)) {
    const value = env[key];
    if (value !== undefined && value !== '') candidate[key] = value;
  }
  const validate = ajv.compile(schema);
  if (!validate(candidate)) {
    const problems = (validate.errors ?? []).map((error) => {
      const name =
        error.instancePath.slice(1) || (error.params as { missingProperty?: string }).missingProperty || 'environment';
      const value = candidate[name];
      const shown = value === undefined ? 'unset' : `got ${JSON.stringify(value)}`;
      return `${name}: ${error.message ?? 'invalid'} (${shown})`;
    });
    throw new ConfigError(problems);
  }
  return Object.freeze(candidate) as Readonly<Static<S>>;
}
