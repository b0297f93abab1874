export * from './plugins/plugin';
