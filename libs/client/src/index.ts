export * from './forecast-client.js';
export * from './grpc-service-client.js';
export * from './ingest-client.js';
export * from './metrics-client.js';
export * from './rpc-error.js';
