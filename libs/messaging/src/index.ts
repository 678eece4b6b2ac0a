export * from './jetstream-connection.js';
export * from './message-codec.js';
export * from './pull-consumer.js';
export * from './stream-provisioner.js';
export * from './stream-specs.js';
export * from './messaging.module.js';
export * from './message-tracing.js';
