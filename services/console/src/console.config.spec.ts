import { ConfigError } from '@pulse/config';

import { loadConsoleConfig } from './console.config.js';

describe('console config', () => {
  it('defaults to HTTP port 8085, the store and forecast on their local ports, a 1 s refresh', () => {
    const config = loadConsoleConfig({ PULSE_API_KEYS_FILE: '/keys.json' });
    expect(config).toMatchObject({
      PULSE_CONSOLE_HTTP_PORT: 8085,
      PULSE_STORE_ADDR: '127.0.0.1:50051',
      PULSE_FORECAST_ADDR: '127.0.0.1:50052',
      PULSE_CONSOLE_REFRESH_MS: 1000,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('refuses to start on bad values, naming every variable at fault', () => {
    let error: unknown;
    try {
      loadConsoleConfig({ PULSE_CONSOLE_HTTP_PORT: 'eighty', PULSE_CONSOLE_REFRESH_MS: '10' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toContain('PULSE_CONSOLE_HTTP_PORT');
    expect(message).toContain('PULSE_CONSOLE_REFRESH_MS');
    expect(message).toContain('PULSE_API_KEYS_FILE');
  });
});
