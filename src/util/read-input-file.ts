/**
 * Reading a file named on the command line (`validate`, `facturx`). A FIFO would block the
 * read for ever and a directory or a device is no invoice: only a regular file is read, and
 * only up to a size (a 10 GB file would otherwise be read whole into memory first).
 */
import { promises as fs } from 'node:fs';
import { oversizeReason } from './size-limit';

/** Default size limit: Chorus Pro's 120 MB for an invoice with its attachments. */
export const DEFAULT_MAX_INPUT_BYTES = 125_829_120;

export class InputFileError extends Error {
  constructor(
    message: string,
    readonly rule: 'FLUX-READ' | 'FLUX-TAILLE',
  ) {
    super(message);
    this.name = 'InputFileError';
  }
}

export async function readInputFile(file: string, maxBytes = DEFAULT_MAX_INPUT_BYTES): Promise<Buffer> {
  // `-` is standard input to many tools; here an invoice is a file (its name is part of the report)
  if (file === '-') throw new InputFileError('Reading from standard input ("-") is not supported: give the path of the file.', 'FLUX-READ');
  if (file === '') throw new InputFileError('The file name is empty.', 'FLUX-READ');
  let st;
  try {
    st = await fs.stat(file);
  } catch (e) {
    throw new InputFileError(`The file cannot be read: ${(e as Error).message}`, 'FLUX-READ');
  }
  if (!st.isFile()) {
    const what = st.isDirectory() ? 'a directory' : st.isFIFO() ? 'a FIFO' : st.isSocket() ? 'a socket' : 'a device';
    throw new InputFileError(`The file cannot be read: ${file} is ${what}, not a regular file.`, 'FLUX-READ');
  }
  if (st.size > maxBytes) throw new InputFileError(oversizeReason(st.size, maxBytes), 'FLUX-TAILLE');
  try {
    return await fs.readFile(file);
  } catch (e) {
    throw new InputFileError(`The file cannot be read: ${(e as Error).message}`, 'FLUX-READ');
  }
}
