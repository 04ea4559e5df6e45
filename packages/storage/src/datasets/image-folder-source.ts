import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import yauzl from 'yauzl';
import { imageFolderError } from './image-folder-errors.ts';

/**
 * Where an image-folder data set's files come from: a local directory or a zip of one. `listing` holds files and
 * folders (folders end in `/`), `/`-separated and relative to the root; `read` returns one file's bytes.
 */
export interface ImageFolderSource {
  readonly kind: 'directory' | 'zip';
  /** The directory or zip path, for messages. */
  readonly location: string;
  readonly listing: readonly string[];
  read(sourcePath: string): Promise<Buffer>;
  close(): Promise<void>;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Opens a directory or a `.zip` (decided by what `location` is, not by its name). */
export async function openImageFolderSource(location: string): Promise<ImageFolderSource> {
  let info;
  try {
    info = await stat(location);
  } catch (error) {
    throw imageFolderError({ kind: 'UnreadableSource', file: location, reason: `cannot open (${errorMessage(error)})` }, error);
  }
  return info.isDirectory() ? openDirectorySource(location) : openZipSource(location);
}

async function openDirectorySource(root: string): Promise<ImageFolderSource> {
  const listing: string[] = [];
  const walk = async (relative: string): Promise<void> => {
    const dirents = await readdir(path.join(root, relative), { withFileTypes: true });
    for (const dirent of dirents) {
      const child = relative === '' ? dirent.name : `${relative}/${dirent.name}`;
      if (dirent.isDirectory()) {
        listing.push(`${child}/`);
        await walk(child);
      } else if (dirent.isFile()) {
        listing.push(child);
      }
    }
  };
  await walk('');
  return {
    kind: 'directory',
    location: path.resolve(root),
    listing,
    read: (sourcePath) => readFile(path.join(root, ...sourcePath.split('/'))),
    close: () => Promise.resolve(),
  };
}

/**
 * Why a zip entry's path is unsafe to use as a path under the data set root, or undefined when it is safe. Checked
 * on the raw name with backslashes read as separators, as Windows tools write them.
 */
export function unsafeZipPath(name: string): string | undefined {
  if (name.includes('\0')) return 'contains a NUL character';
  const normal = name.replace(/\\/g, '/');
  if (normal.startsWith('/')) return 'absolute path';
  if (/^[a-zA-Z]:/.test(normal)) return 'absolute path with a drive letter';
  if (normal.split('/').includes('..')) return "contains a '..' segment";
  return undefined;
}

async function openZipSource(file: string): Promise<ImageFolderSource> {
  let zip: yauzl.ZipFile;
  try {
    // decodeStrings off: yauzl would reject unsafe names with a message that does not fit ours; we check them below.
    zip = await yauzl.openPromise(file, { lazyEntries: true, autoClose: false, decodeStrings: false });
  } catch (error) {
    throw imageFolderError({ kind: 'UnreadableSource', file, reason: `not a readable zip (${errorMessage(error)})` }, error);
  }
  const entries = new Map<string, yauzl.Entry>();
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('error', reject);
      zip.on('end', () => resolve());
      zip.on('entry', (entry: yauzl.Entry) => {
        const name = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, true);
        const unsafe = unsafeZipPath(name);
        if (unsafe !== undefined) {
          reject(imageFolderError({ kind: 'UnsafeZipPath', file: name, reason: unsafe }));
          return;
        }
        entries.set(name.replace(/\\/g, '/').replace(/^(\.\/)+/, ''), entry);
        zip.readEntry();
      });
      zip.readEntry();
    });
  } catch (error) {
    zip.close();
    if (error instanceof Error && error.name === 'ImageFolderError') throw error;
    throw imageFolderError({ kind: 'UnreadableSource', file, reason: `not a readable zip (${errorMessage(error)})` }, error);
  }
  const read = async (sourcePath: string): Promise<Buffer> => {
    const entry = entries.get(sourcePath);
    if (entry === undefined) throw new Error(`no zip entry '${sourcePath}'`);
    const stream = await zip.openReadStreamPromise(entry);
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  };
  return {
    kind: 'zip',
    location: path.resolve(file),
    listing: [...entries.keys()],
    read,
    close: () => {
      zip.close();
      return Promise.resolve();
    },
  };
}
