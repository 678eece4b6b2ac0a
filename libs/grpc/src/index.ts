export * from './grpc-auth.js';
export * from './grpc-credentials.js';
export * from './grpc-server-options.js';
export * from './proto-files.js';
export * from './status-details.js';
export * from './rpc-metrics.js';
