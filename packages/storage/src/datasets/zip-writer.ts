import { crc32, deflateRawSync } from 'node:zlib';

// Plain zip (no zip64): 4 GiB and 65,535 entries at most.
export const MAX_ZIP_BYTES = 0xffffffff;
export const MAX_ZIP_ENTRIES = 0xffff;

/**
 * Builds a plain zip in memory, member by member, so a caller holds one source file at a time plus the archive.
 * Names are UTF-8 and kept exactly as given (unsafe ones too: tests build archives no well-behaved tool would make;
 * a name ending in `/` is a folder entry). Throws a RangeError past plain zip's limits, as it goes.
 */
export class ZipBuilder {
  readonly #parts: Buffer[] = [];
  readonly #central: Buffer[] = [];
  #offset = 0;
  #count = 0;

  /** Adds `data` as `name`; `deflate`: deflated unless that does not shrink it (PNG, JPEG, .nii.gz), else stored. */
  add(name: string, data: Uint8Array, options: { readonly deflate?: boolean } = {}): void {
    if (++this.#count > MAX_ZIP_ENTRIES) throw new RangeError(`a zip holds at most ${MAX_ZIP_ENTRIES} entries`);
    const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    const deflated = options.deflate === true ? deflateRawSync(bytes) : undefined;
    const stored = deflated === undefined || deflated.length >= bytes.length;
    const body = stored ? bytes : deflated;
    const method = stored ? 0 : 8;
    const nameBytes = Buffer.from(name, 'utf8');
    const crc = crc32(bytes);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    // Bit 11: names are UTF-8.
    local.writeUInt16LE(0x800, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(bytes.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4);
    entry.writeUInt16LE(20, 6);
    entry.writeUInt16LE(0x800, 8);
    entry.writeUInt16LE(method, 10);
    entry.writeUInt32LE(crc, 16);
    entry.writeUInt32LE(body.length, 20);
    entry.writeUInt32LE(bytes.length, 24);
    entry.writeUInt16LE(nameBytes.length, 28);
    entry.writeUInt32LE(this.#offset, 42);
    this.#parts.push(local, nameBytes, body);
    this.#central.push(entry, nameBytes);
    this.#offset += local.length + nameBytes.length + body.length;
    if (this.#offset > MAX_ZIP_BYTES) throw new RangeError('more than 4 GiB compressed: a plain zip cannot hold it (zip64 needed)');
  }

  /** The archive: members, central directory and end record. */
  finish(): Buffer {
    const directory = Buffer.concat(this.#central);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(this.#count, 8);
    end.writeUInt16LE(this.#count, 10);
    end.writeUInt32LE(directory.length, 12);
    end.writeUInt32LE(this.#offset, 16);
    return Buffer.concat([...this.#parts, directory, end]);
  }
}
