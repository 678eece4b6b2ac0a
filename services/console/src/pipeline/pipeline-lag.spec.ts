import { pipelineLag } from './pipeline-lag.js';

describe('pipeline lag', () => {
  it('sums pending and unacknowledged messages over each stage’s consumers, in data-path order', () => {
    const lag = pipelineLag(
      new Map([
        ['PULSE_AGG', [{ num_pending: 3, num_ack_pending: 1 }]],
        ['PULSE_RAW', [{ num_pending: 10, num_ack_pending: 5 }]],
        [
          'PULSE_CLEAN',
          [
            { num_pending: 1, num_ack_pending: 0 },
            { num_pending: 2, num_ack_pending: 0 },
          ],
        ],
      ]),
    );
    expect(lag).toEqual([
      { stream: 'PULSE_RAW', stage: 'cleaner', consumers: 1, pending: 10, ackPending: 5 },
      { stream: 'PULSE_CLEAN', stage: 'aggregator', consumers: 2, pending: 3, ackPending: 0 },
      { stream: 'PULSE_AGG', stage: 'store', consumers: 1, pending: 3, ackPending: 1 },
    ]);
  });

  it('shows a stream that does not exist yet as a stage without consumers', () => {
    expect(pipelineLag(new Map([['PULSE_RAW', undefined]]))[0]).toEqual({
      stream: 'PULSE_RAW',
      stage: 'cleaner',
      consumers: 0,
      pending: 0,
      ackPending: 0,
    });
  });
});
