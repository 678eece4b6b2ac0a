import { ArgumentError } from '../forecasting/argument-error.js';
import { pageToken, parseListAlertsRequest, parseWatchAlertsRequest } from './alert-requests.js';

function refusedField(parse: () => unknown): string {
  try {
    parse();
  } catch (error) {
    if (error instanceof ArgumentError) return error.field;
    throw error;
  }
  throw new Error('the request was accepted');
}

describe('ListAlerts and WatchAlerts requests', () => {
  it('lists every retained alert, 100 a page, by default', () => {
    expect(parseListAlertsRequest({})).toEqual({ since: undefined, pageSize: 100 });
  });

  it('reads since as epoch ms', () => {
    expect(parseListAlertsRequest({ since: { seconds: 1_700_000_000, nanos: 5_000_000 }, pageSize: 10 })).toEqual({
      since: 1_700_000_000_005,
      pageSize: 10,
    });
  });

  it('continues from the sequence a page token names (ignoring since)', () => {
    const token = pageToken(1234);
    expect(parseListAlertsRequest({ pageToken: token, since: { seconds: 1, nanos: 0 } })).toEqual({
      fromSequence: 1234,
      pageSize: 100,
    });
  });

  it.each([
    ['page_size', { pageSize: 1001 }],
    ['page_token', { pageToken: 'not-a-token' }],
    ['page_token', { pageToken: Buffer.from('alerts-v1:-3').toString('base64url') }],
    ['since', { since: { seconds: 1, nanos: 2_000_000_000 } }],
  ])('refuses a request naming the field %s', (field, request) => {
    expect(refusedField(() => parseListAlertsRequest(request))).toBe(field);
  });

  it('watches from now unless since is given', () => {
    expect(parseWatchAlertsRequest({})).toEqual({ since: undefined });
    expect(parseWatchAlertsRequest({ since: { seconds: 2, nanos: 0 } })).toEqual({ since: 2000 });
  });
});
