export { GRU, gru, biGru, type GruArgs, type BiGruArgs } from './gru.js';
export { LSTM, lstm, biLstm, type LstmArgs, type BiLstmArgs } from './lstm.js';
export type { StackedRecurrentArgs, RecurrentInit, DirectionWeights, SequenceOps } from './stacked-recurrent.js';
