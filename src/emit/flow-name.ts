/**
 * Whether an output (its path relative to the output root) is the flow a partner names: by its
 * path, its file name, or its flow id, as `<interface>_<emitter>_<flow id>.xml` carries it.
 * Shared by `trace` and the reconciliation's lookup of refused flows.
 */
export function outputNamesFlow(outputPath: string, what: string): boolean {
  if (outputPath === what) return true;
  const name = outputPath.slice(outputPath.lastIndexOf('/') + 1);
  return name === what || name.endsWith(`_${what}.xml`);
}
