export * from './alert-watch.js';
export * from './forecast-client.js';
export * from './grpc-service-client.js';
export * from './ingest-client.js';
export * from './metrics-client.js';
export * from './paging.js';
export * from './rpc-error.js';
export * from './timestamps.js';
