/** A NumPy `.npy` array (format 1.0-3.0, little-endian float32/float64, C order), as float32. */
export interface NpyArray {
  readonly shape: readonly number[];
  readonly values: Float32Array;
}

/**
 * Reads the `.npy` files Keras fixtures ship beside their models (`np.save` of float32 or float64 arrays). Throws
 * naming the file for anything else (Fortran order, big-endian, other dtypes), rather than misreading it.
 */
export function readNpy(bytes: Uint8Array, file: string): NpyArray {
  const magic = String.fromCharCode(...bytes.subarray(0, 6));
  if (magic !== '\x93NUMPY') throw new Error(`${file} is not a .npy file (magic ${JSON.stringify(magic)})`);
  const major = bytes[6]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const headerStart = major === 1 ? 10 : 12;
  const header = new TextDecoder().decode(bytes.subarray(headerStart, headerStart + headerLength));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) throw new Error(`${file}: unreadable .npy header ${header}`);
  if (fortran === 'True') throw new Error(`${file}: Fortran-ordered arrays are not supported`);
  const shape = shapeText.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const dataStart = headerStart + headerLength;
  // A copy, aligned for the typed array (Node's Buffer.slice is a view into a shared pool).
  const data = new Uint8Array(bytes.subarray(dataStart)).buffer;
  let values: Float32Array;
  if (descr === '<f4') values = new Float32Array(data, 0, count);
  else if (descr === '<f8') values = Float32Array.from(new Float64Array(data, 0, count));
  else throw new Error(`${file}: dtype ${descr} is not supported (only <f4, <f8)`);
  return { shape, values };
}
