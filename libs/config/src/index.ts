export * from './common-settings.js';
export * from './config-error.js';
export * from './load-config.js';
export * from './api-keys.js';
export * from './cassandra-security.js';
export * from './tls-settings.js';
