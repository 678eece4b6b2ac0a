export * from './chromium.js';
export * from './free-port.js';
export * from './grpc-probes.js';
export * from './https-probe.js';
export * from './local-platform.js';
export * from './private-nats.js';
export * from './service-process.js';
export * from './test-infra.js';
