import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { parseJobSpec, type JobSpec } from '@tessera/core/jobs/job-spec';

/**
 * Reads a job spec from a YAML or JSON file and validates it with the same schema the coordinator uses, so a typo
 * is reported before anything is sent, with the file and the field at fault.
 */
export async function loadSpecFile(file: string): Promise<JobSpec> {
  const text = await readFile(file, 'utf8');
  let raw: unknown;
  try {
    raw = /\.json$/i.test(file) ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new Error(`${file}: not valid ${/\.json$/i.test(file) ? 'JSON' : 'YAML'}: ${(err as Error).message}`);
  }
  const parsed = parseJobSpec(raw);
  if (!parsed.ok) throw new Error(`${file}: ${parsed.field}: ${parsed.message}`);
  return parsed.spec;
}
