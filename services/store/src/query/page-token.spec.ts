import { decodePageToken, encodePageToken, queryFingerprint } from './page-token.js';

describe('page tokens', () => {
  const fingerprint = queryFingerprint(['top', 'demo', 'product', 'revenue', [['1d', 0, 86_400_000]]]);

  it('round-trip an offset and an after-name cursor', () => {
    expect(decodePageToken(encodePageToken({ offset: 20 }, fingerprint), fingerprint, 'offset')).toEqual({
      offset: 20,
    });
    expect(decodePageToken(encodePageToken({ after: 'product:SKU-9' }, fingerprint), fingerprint, 'after')).toEqual({
      after: 'product:SKU-9',
    });
  });

  it('start at the first page for an empty token', () => {
    expect(decodePageToken('', fingerprint, 'offset')).toEqual({ offset: 0 });
    expect(decodePageToken('', fingerprint, 'after')).toBeUndefined();
  });

  it('refuse a token of another query or tenant on page_token', () => {
    const other = queryFingerprint(['top', 'other-tenant', 'product', 'revenue', [['1d', 0, 86_400_000]]]);
    expect(() => decodePageToken(encodePageToken({ offset: 10 }, other), fingerprint, 'offset')).toThrow(
      /page_token: belongs to a different query/,
    );
  });

  it('refuse garbage and a cursor of the wrong shape', () => {
    for (const token of ['not-a-token', 'e30', Buffer.from('{"v":1}').toString('base64url')]) {
      expect(() => decodePageToken(token, fingerprint, 'offset')).toThrow(/page_token/);
    }
    const afterToken = encodePageToken({ after: 'x' }, fingerprint);
    expect(() => decodePageToken(afterToken, fingerprint, 'offset')).toThrow(/page_token: is not a page token/);
    const negative = Buffer.from(JSON.stringify({ v: 1, q: fingerprint, o: -5 })).toString('base64url');
    expect(() => decodePageToken(negative, fingerprint, 'offset')).toThrow(/page_token/);
  });
});
