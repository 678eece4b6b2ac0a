export * from './local-platform.js';
export * from './service-process.js';
export * from './test-infra.js';
