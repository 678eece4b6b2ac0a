export * from './grpc-service-client.js';
export * from './ingest-client.js';
export * from './metrics-client.js';
