// Entry point of one Emscripten pthread of tfjs-backend-wasm's threaded SIMD build, for Node worker_threads
// (started by wasm-threaded-backend.ts through the module's locateFile). The package ships this worker's source
// only as a string (wasm-out/tfjs-backend-wasm-threaded-simd.worker.js exports `wasmWorkerContents`) and, in the
// browser, starts it from a Blob URL, which Node's Worker cannot load. Its newlines were escaped for a Blob:
// restore them as tfjs does, then run it as the CommonJS script it is, with a require and __filename of its own.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const wasmOut = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'wasm-out');
const { wasmWorkerContents } = require(path.join(wasmOut, 'tfjs-backend-wasm-threaded-simd.worker.js'));
new Function('require', '__filename', wasmWorkerContents.replace(/\n/g, '\\n'))(require, fileURLToPath(import.meta.url));
