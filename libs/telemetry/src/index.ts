export * from './run-service.js';
export * from './health.controller.js';
