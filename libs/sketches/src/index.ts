export * from './distinct-sketch.js';
