/** The files of a checkpoint that can be downloaded, and nothing else (the route checks the name against this). */
export const CHECKPOINT_FILES = ['model.json', 'weights.bin', 'optimizer.bin', 'state.json'] as const;
export type CheckpointFile = (typeof CHECKPOINT_FILES)[number];

export function isCheckpointFile(name: string): name is CheckpointFile {
  return (CHECKPOINT_FILES as readonly string[]).includes(name);
}
