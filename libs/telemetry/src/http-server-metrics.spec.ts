import { httpServerAttributes } from './http-server-metrics.js';

describe('httpServerAttributes', () => {
  it('labels a request with the route template, the method and the status', () => {
    expect(httpServerAttributes('POST', '/v1/events', 202)).toEqual({
      'http.request.method': 'POST',
      'http.route': '/v1/events',
      'http.response.status_code': 202,
    });
  });

  it('leaves the route out when none matched, and folds unknown methods into _OTHER', () => {
    expect(httpServerAttributes('GET', undefined, 404)).toEqual({
      'http.request.method': 'GET',
      'http.response.status_code': 404,
    });
    expect(httpServerAttributes('PROPFIND', undefined, 404)['http.request.method']).toBe('_OTHER');
  });
});
