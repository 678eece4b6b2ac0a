import { natsServiceEnv, parseInfraEnv } from './local-platform.js';

describe('parseInfraEnv', () => {
  it('reads export lines, unquoting printf %q (escaped commas, single quotes)', () => {
    const output = [
      '# comment',
      'export PULSE_NATS_URL=nats://127.0.0.1:24222\\,nats://127.0.0.1:24223',
      "export PULSE_CASSANDRA_LOCAL_DC='data center1'",
      'export PULSE_STREAM_REPLICAS=3',
      'not an export',
    ].join('\n');
    expect(parseInfraEnv(output)).toEqual({
      PULSE_NATS_URL: 'nats://127.0.0.1:24222,nats://127.0.0.1:24223',
      PULSE_CASSANDRA_LOCAL_DC: 'data center1',
      PULSE_STREAM_REPLICAS: '3',
    });
  });
});

describe('natsServiceEnv', () => {
  it('gives a service its own NATS user and password file, and the CA, when infra.sh env has them', () => {
    const infraEnv = { PULSE_NATS_AUTH_DIR: '/run/secrets/nats', PULSE_NATS_TLS_CA_FILE: '/run/tls/ca.pem' };
    expect(natsServiceEnv('cleaner', infraEnv)).toEqual({
      PULSE_NATS_USER: 'cleaner',
      PULSE_NATS_PASSWORD_FILE: '/run/secrets/nats/cleaner.password',
      PULSE_NATS_TLS_CA_FILE: '/run/tls/ca.pem',
    });
  });

  it('adds nothing for an instance without NATS users or TLS (the single profile)', () => {
    expect(natsServiceEnv('store', { PULSE_NATS_URL: 'nats://127.0.0.1:4222' })).toEqual({});
  });
});
