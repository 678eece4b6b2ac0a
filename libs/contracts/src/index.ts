export * from './alert.schema.js';
export * from './alert-validator.js';
export * from './event.schema.js';
export * from './event-validator.js';
export * from './metrics.js';
export * from './partition.js';
export * from './subjects.js';
export * as proto from './generated/index.js';
