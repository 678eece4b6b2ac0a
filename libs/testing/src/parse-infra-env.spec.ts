import { parseInfraEnv } from './local-platform.js';

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
