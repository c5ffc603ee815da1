export * from './validators.js';
export * from './channels.js';
