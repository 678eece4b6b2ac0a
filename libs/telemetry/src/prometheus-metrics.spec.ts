import { MeterProvider } from '@opentelemetry/sdk-metrics';

import { prometheusReader, prometheusText } from './prometheus-metrics.js';

describe('prometheusText', () => {
  it('serializes what the reader collects: counters get _total, histograms _bucket/_count/_sum', async () => {
    const provider = new MeterProvider({ readers: [prometheusReader()] });
    const meter = provider.getMeter('pulse-test');
    meter.createCounter('pulse.test.events').add(3, { outcome: 'clean' });
    meter
      .createHistogram('pulse.test.duration', { unit: 's', advice: { explicitBucketBoundaries: [1, 10] } })
      .record(2);
    const text = await prometheusText();
    expect(text).toContain('# TYPE pulse_test_events_total counter');
    expect(text).toMatch(/^pulse_test_events_total\{outcome="clean",otel_scope_name="pulse-test"[^}]*\} 3$/m);
    expect(text).toMatch(/^pulse_test_duration_bucket\{[^}]*le="10"\} 1$/m);
    expect(text).toMatch(/^pulse_test_duration_count\{[^}]*\} 1$/m);
    await provider.shutdown();
  });
});
