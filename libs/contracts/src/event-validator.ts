import { Ajv, type ErrorObject } from 'ajv';

import { RawEventV1Schema, type RawEventV1 } from './event.schema.js';

const ajv = new Ajv({ allErrors: false, strict: true, allowUnionTypes: true });
const validateRaw = ajv.compile<RawEventV1>(RawEventV1Schema);

export type EventValidation = { ok: true; event: RawEventV1 } | { ok: false; reason: string };

function fieldOf(error: ErrorObject): string {
  return error.instancePath ? error.instancePath.slice(1).replace(/\//g, '.') : 'event';
}

/** One readable reason; a failed union ("string or number") is reported as the union. */
function describe(errors: ErrorObject[] | null | undefined): string {
  if (!errors || errors.length === 0) return 'invalid event';
  const union = errors.find((error) => error.keyword === 'anyOf');
  if (union) {
    const types = errors
      .filter((error) => error.keyword === 'type' && error.instancePath === union.instancePath)
      .map((error) => (error.params as { type: string }).type);
    if (types.length > 0) return `${fieldOf(union)}: must be ${types.join(' or ')}`;
  }
  return `${fieldOf(errors[0])}: ${errors[0].message ?? 'invalid'}`;
}

/** Structural validation of one raw event (Ajv, compiled once from the TypeBox schema). */
export function validateRawEvent(candidate: unknown): EventValidation {
  if (validateRaw(candidate)) return { ok: true, event: candidate };
  return { ok: false, reason: describe(validateRaw.errors) };
}
