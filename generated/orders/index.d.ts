export * from './models.js';
export * from './validators.js';
