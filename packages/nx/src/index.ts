// Nx loads the plugin from the package root: createNodes lives here; the executor in executors.json.
export { createNodes, createNodesV2, type AutoparPluginOptions } from './plugins/plugin';
