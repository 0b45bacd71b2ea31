import 'flowsentry/register';

export { buildFlowModel, type FlowModelOptions, type ArchitectureBody, type ArchitectureContext } from './builder.js';
export { mlp, type MlpOptions } from './mlp.js';
export { resCaeBiGru, resCaeBiGruModels, disposeDecoder, type ResCaeBiGruOptions, type ResCaeBiGruModels } from './rescae-bigru.js';
export { msmrNet, type MsmrNetOptions } from './msmrnet.js';
export { cnnBiLstm, type CnnBiLstmOptions } from './cnn-bilstm.js';
export { lktAdnTeacher, lktAdnStudent, type LktAdnTeacherOptions, type LktAdnStudentOptions } from './lkt-adn.js';
export { buildModel, buildPretrainable, modelNames, registerModel, type ModelBuilder, type ModelBuilderOptions, type PretrainableBuilder } from './registry.js';
