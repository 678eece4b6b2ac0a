import { Ajv, type ErrorObject } from 'ajv';

import {
  DEFAULT_RAW_EVENT_LIMITS,
  rawEventV1Schema,
  RawEventV1Schema,
  type RawEventLimits,
  type RawEventV1,
} from './event.schema.js';

const ajv = new Ajv({ allErrors: false, strict: true, allowUnionTypes: true });
const validateRaw = ajv.compile<RawEventV1>(RawEventV1Schema);

export type EventValidation = { ok: true; event: RawEventV1 } | { ok: false; reason: string };

function fieldOf(error: ErrorObject): string {
  return error.instancePath ? error.instancePath.slice(1).replace(/\//g, '.') : 'event';
}

/**
 * One readable reason. For a failed union ("string or integer") the reason is the branch whose
 * type matched but whose limit did not (e.g. a string too long), else the list of types.
 */
function describe(errors: ErrorObject[] | null | undefined): string {
  if (!errors || errors.length === 0) return 'invalid event';
  const union = errors.find((error) => error.keyword === 'anyOf');
  if (union) {
    const branches = errors.filter((error) => error.keyword !== 'anyOf' && error.instancePath === union.instancePath);
    const limit = branches.find((error) => error.keyword !== 'type');
    if (limit) return `${fieldOf(limit)}: ${limit.message ?? 'invalid'}`;
    const types = branches.map((error) => (error.params as { type: string }).type);
    if (types.length > 0) return `${fieldOf(union)}: must be ${types.join(' or ')}`;
  }
  return `${fieldOf(errors[0])}: ${errors[0].message ?? 'invalid'}`;
}

/** Structural validation of one raw event (Ajv, compiled once from the TypeBox schema). */
export function validateRawEvent(candidate: unknown): EventValidation {
  if (validateRaw(candidate)) return { ok: true, event: candidate };
  return { ok: false, reason: describe(validateRaw.errors) };
}

/**
 * A validator with tighter limits than the contract's (see RawEventLimits); refuses looser ones.
 */
export function createRawEventValidator(limits: RawEventLimits): (candidate: unknown) => EventValidation {
  for (const key of Object.keys(DEFAULT_RAW_EVENT_LIMITS) as Array<keyof RawEventLimits>) {
    if (!(limits[key] >= 1 && limits[key] <= DEFAULT_RAW_EVENT_LIMITS[key])) {
      throw new RangeError(
        `${key} must be between 1 and the contract's ${DEFAULT_RAW_EVENT_LIMITS[key]}, got ${limits[key]}`,
      );
    }
  }
  const validate = new Ajv({ allErrors: false, strict: true, allowUnionTypes: true }).compile<RawEventV1>(
    rawEventV1Schema(limits),
  );
  return (candidate) =>
    validate(candidate) ? { ok: true, event: candidate } : { ok: false, reason: describe(validate.errors) };
}
