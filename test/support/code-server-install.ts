// The code-server toolchain lives with the product (src/local/code-server-install.ts: `start:local
// --open` uses it too); tests import it from here.
export { CODE_SERVER_VERSION, NODE_VERSION, ensureCodeServer, type CodeServerToolchain } from '../../src/local/code-server-install';
