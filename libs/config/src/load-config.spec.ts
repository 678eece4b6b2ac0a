import { Type } from '@sinclair/typebox';

import { ConfigError } from './config-error.js';
import { loadConfig } from './load-config.js';

const Schema = Type.Object({
  PULSE_PORT: Type.Integer({ default: 8080, minimum: 1, maximum: 65535 }),
  PULSE_NAME: Type.String({ minLength: 1 }),
  PULSE_VERBOSE: Type.Boolean({ default: false }),
});

describe('loadConfig', () => {
  it('coerces numbers and booleans from strings and applies defaults', () => {
    const config = loadConfig(Schema, { PULSE_NAME: 'gw', PULSE_VERBOSE: 'true' });
    expect(config).toEqual({ PULSE_PORT: 8080, PULSE_NAME: 'gw', PULSE_VERBOSE: true });
  });

  it('returns a frozen object', () => {
    const config = loadConfig(Schema, { PULSE_NAME: 'gw' });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('names every bad variable and its value in one error', () => {
    let caught: unknown;
    try {
      loadConfig(Schema, { PULSE_PORT: '70000', PULSE_VERBOSE: 'maybe' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const message = (caught as ConfigError).message;
    expect(message).toContain('PULSE_PORT: must be <= 65535 (got 70000)');
    expect(message).toContain('PULSE_NAME');
    expect(message).toContain('PULSE_VERBOSE');
    expect((caught as ConfigError).problems).toHaveLength(3);
  });

  it('treats an empty variable as unset so the default applies', () => {
    expect(loadConfig(Schema, { PULSE_NAME: 'x', PULSE_PORT: '' }).PULSE_PORT).toBe(8080);
  });
});
