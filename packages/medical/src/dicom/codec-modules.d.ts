// The codec packages ship JavaScript without declarations; these describe only the parts the DICOM reader calls.

interface EmscriptenCodecOptions {
  print?: (text: string) => void;
  printErr?: (text: string) => void;
}

interface WasmFrameInfo {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
  isSigned?: boolean;
}

declare module '@cornerstonejs/codec-charls/decodewasmjs' {
  export interface JpegLSDecoder {
    getEncodedBuffer(length: number): Uint8Array;
    decode(): void;
    getFrameInfo(): WasmFrameInfo;
    /** 0: planes one after another, 1: line interleaved, 2: sample interleaved. */
    getInterleaveMode(): number;
    getNearLossless(): number;
    getDecodedBuffer(): Uint8Array;
    delete(): void;
  }
  export interface CharLSModule {
    JpegLSDecoder: new () => JpegLSDecoder;
  }
  const CharLS: (options?: EmscriptenCodecOptions) => Promise<CharLSModule>;
  export default CharLS;
}

declare module '@cornerstonejs/codec-openjpeg/decodewasmjs' {
  export interface J2KDecoder {
    getEncodedBuffer(length: number): Uint8Array;
    decode(): void;
    getFrameInfo(): WasmFrameInfo;
    getDecodedBuffer(): Uint8Array;
    delete(): void;
  }
  export interface OpenJPEGModule {
    J2KDecoder: new () => J2KDecoder;
  }
  const OpenJPEG: (options?: EmscriptenCodecOptions) => Promise<OpenJPEGModule>;
  export default OpenJPEG;
}

declare module 'jpeg-lossless-decoder-js' {
  export class Decoder {
    constructor();
    numComp: number;
    xDim: number;
    yDim: number;
    precision: number;
    decode(buffer: ArrayBufferLike, offset?: number, length?: number): Uint8Array | Uint16Array;
  }
}
