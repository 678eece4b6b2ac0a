import { Ajv } from 'ajv';

import { AlertV1Schema, type AlertV1 } from './alert.schema.js';
import { lastToken } from './subjects.js';

const ajv = new Ajv({ allErrors: false, strict: true, allowUnionTypes: true });
const validateAlertV1 = ajv.compile<AlertV1>(AlertV1Schema);

export type AlertValidation = { ok: true; alert: AlertV1 } | { ok: false; reason: string };

/** Structural validation of one alert body (Ajv, compiled once from the TypeBox schema). */
export function validateAlert(candidate: unknown): AlertValidation {
  if (validateAlertV1(candidate)) return { ok: true, alert: candidate };
  const [error] = validateAlertV1.errors ?? [];
  const field = error?.instancePath ? error.instancePath.slice(1).replace(/\//g, '.') : 'alert';
  return { ok: false, reason: `${field}: ${error?.message ?? 'invalid'}` };
}

/** The alert in a decoded message body, or undefined for anything else. */
export function parseAlert(body: unknown): AlertV1 | undefined {
  return validateAlertV1(body) ? body : undefined;
}

/**
 * The alert of a message on `pulse.alerts.<tenant>` (its JSON bytes and subject), or undefined when
 * the body is not an alert or names another tenant than its subject — a reader authorized for one
 * tenant's subject must never be shown another's alert.
 */
export function decodeAlert(data: Uint8Array, subject: string): AlertV1 | undefined {
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder().decode(data));
  } catch {
    return undefined;
  }
  const alert = parseAlert(body);
  return alert && alert.tenant === lastToken(subject) ? alert : undefined;
}
