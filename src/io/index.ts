export { fileSystem, MODEL_JSON, WEIGHTS_BIN } from './file-system.js';
export type { FileSystemOptions } from './file-system.js';
