export * from './metrics-client.js';
