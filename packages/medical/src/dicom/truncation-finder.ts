/**
 * Finds where a Part 10 file ends too early, by walking its element headers (no values are read). dicom-parser
 * reports truncation as a bare string or as an overrun without naming the element, and it accepts an implicit-VR
 * file whose last element runs past the end; this walk names the top-level element that is cut off.
 */

/** Where the bytes run out: the top-level tag (`x7fe00010`) and what was needed. */
export interface TruncationPoint {
  readonly tag: string;
  readonly reason: string;
}

const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'UC', 'UN', 'UR', 'UT', 'SV', 'UV']);
const UNDEFINED_LENGTH = 0xffffffff;

class OutOfBytes extends Error {
  constructor(
    readonly needed: number,
    readonly at: number,
  ) {
    super('out of bytes');
  }
}

interface Syntax {
  readonly littleEndian: boolean;
  readonly implicit: boolean;
}

class Walker {
  private readonly view: DataView;
  constructor(
    private readonly bytes: Uint8Array,
    private readonly syntax: Syntax,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private need(at: number, count: number): void {
    if (at + count > this.bytes.length) throw new OutOfBytes(count, at);
  }

  private u16(at: number, little: boolean): number {
    this.need(at, 2);
    return this.view.getUint16(at, little);
  }

  private u32(at: number, little: boolean): number {
    this.need(at, 4);
    return this.view.getUint32(at, little);
  }

  tagAt(at: number, little: boolean): string {
    const group = this.u16(at, little);
    const element = this.u16(at + 2, little);
    return `x${group.toString(16).padStart(4, '0')}${element.toString(16).padStart(4, '0')}`;
  }

  /** Walks one element starting at `at`; returns the offset after it. */
  element(at: number, syntax: Syntax): number {
    const little = syntax.littleEndian;
    const tag = this.tagAt(at, little);
    if (tag === 'xfffee000' || tag === 'xfffee00d' || tag === 'xfffee0dd') {
      return at + 8;
    }
    let length: number;
    let valueAt: number;
    let vr: string | undefined;
    if (syntax.implicit) {
      length = this.u32(at + 4, little);
      valueAt = at + 8;
    } else {
      this.need(at + 4, 2);
      vr = String.fromCharCode(this.bytes[at + 4] ?? 0, this.bytes[at + 5] ?? 0);
      if (LONG_VRS.has(vr)) {
        length = this.u32(at + 8, little);
        valueAt = at + 12;
      } else {
        length = this.u16(at + 6, little);
        valueAt = at + 8;
      }
    }
    if (length !== UNDEFINED_LENGTH) {
      this.need(valueAt, length);
      return valueAt + length;
    }
    return this.items(valueAt, syntax);
  }

  /** Items of an undefined-length sequence or encapsulated pixel data, through the sequence delimiter. */
  private items(at: number, syntax: Syntax): number {
    let offset = at;
    for (;;) {
      const tag = this.tagAt(offset, syntax.littleEndian);
      const length = this.u32(offset + 4, syntax.littleEndian);
      offset += 8;
      if (tag === 'xfffee0dd') return offset;
      if (tag !== 'xfffee000') throw new Error(`expected an item (FFFE,E000), found ${tag}`);
      if (length !== UNDEFINED_LENGTH) {
        this.need(offset, length);
        offset += length;
        continue;
      }
      for (;;) {
        if (this.tagAt(offset, syntax.littleEndian) === 'xfffee00d') {
          offset += 8;
          break;
        }
        offset = this.element(offset, syntax);
      }
    }
  }

  /** Walks the whole file from the end of the preamble; the first top-level element cut off, if any. */
  walk(): TruncationPoint | undefined {
    let offset = 132;
    let current = 'x00020000';
    try {
      while (offset < this.bytes.length) {
        if (offset + 8 > this.bytes.length) {
          return { tag: current, reason: `the file ends ${this.bytes.length - offset} bytes into the header of the element after it` };
        }
        const meta = this.tagAt(offset, true).startsWith('x0002');
        current = this.tagAt(offset, meta || this.syntax.littleEndian);
        offset = this.element(offset, meta ? { littleEndian: true, implicit: false } : this.syntax);
      }
      return undefined;
    } catch (error) {
      if (!(error instanceof OutOfBytes)) return undefined;
      return {
        tag: current,
        reason: `needs ${error.needed} bytes at offset ${error.at}, the file has ${this.bytes.length}`,
      };
    }
  }
}

/**
 * The first top-level element of `bytes` (a Part 10 file, DICM prefix at 128) that extends past the end, or
 * undefined when every element header and value fits. `syntax` is the data set's encoding (the meta group is always
 * explicit little endian). Costs one pass over element headers; values are skipped, not read.
 */
export function findTruncation(bytes: Uint8Array, syntax: Syntax): TruncationPoint | undefined {
  return new Walker(bytes, syntax).walk();
}
