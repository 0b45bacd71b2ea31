export { FILE_SCHEME, fileSystem, fileSystemIORouter, fileSystemRouter, MODEL_JSON, WEIGHTS_BIN } from './file-system.js';
export type { FileSystemOptions } from './file-system.js';
