export * from './models.js';
export * from './validators.js';
export * from './channels.js';
