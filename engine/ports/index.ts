export * from './broker.port.js';
export * from './clock.port.js';
export * from './market-data.port.js';
export * from './store.port.js';
export * from './sentiment.port.js';
