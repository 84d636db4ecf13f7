export * from './account.js';
export * from './engine-event.js';
export * from './market.js';
export * from './order.js';
export * from './risk.js';
export * from './signal.js';
export * from './strategy.js';
export * from './symbol.js';
