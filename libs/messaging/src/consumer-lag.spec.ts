import { consumerLag } from './consumer-lag.js';

describe('consumerLag', () => {
  it('adds what the server holds, what is delivered and unacked, and what the client buffered', () => {
    expect(consumerLag({ num_pending: 7, num_ack_pending: 3 })).toBe(10);
    expect(consumerLag({ num_pending: 7, num_ack_pending: 0 }, 5)).toBe(12);
    expect(consumerLag({ num_pending: 0, num_ack_pending: 0 })).toBe(0);
  });
});
