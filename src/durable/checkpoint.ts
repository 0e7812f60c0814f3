/**
 * Checkpoints of a partition's live state: the format (checkpoint-format.ts), the files on disk (checkpoint-store.ts),
 * and what a checkpoint is checked against (state-hash.ts).
 */
export { CHECKPOINT_MAGIC, CHECKPOINT_VERSION, CheckpointError, decodeCheckpoint, encodeCheckpoint, readCheckpointHeader } from './checkpoint-format.js';
export type { CheckpointBody, CheckpointHeader, CheckpointRefusal, DecodedCheckpoint, ExactEntry } from './checkpoint-format.js';
export { CheckpointStore, checkpointFileName } from './checkpoint-store.js';
export type { FoundCheckpoint, RefusedCheckpoint } from './checkpoint-store.js';
export { buildFingerprint, stateHash } from './state-hash.js';
