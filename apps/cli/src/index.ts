export { main, buildProgram } from './cli.js';
export { firstPartyPlugins } from './plugins.js';
