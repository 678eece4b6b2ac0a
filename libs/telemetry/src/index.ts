export * from './run-service.js';
export * from './health.controller.js';
export * from './service-logger.js';
export * from './sdk-lifecycle.js';
export * from './tracing.js';
