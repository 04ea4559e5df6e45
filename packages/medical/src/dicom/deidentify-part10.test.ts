import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import type { DicomJsonDataset } from './deidentify-dataset.ts';
import { isDeidentifyError } from './deidentify-errors.ts';
import { deidentifyDicomFolder } from './deidentify-folder.ts';
import { deidentifyPart10 } from './deidentify-part10.ts';
import { createKeyedMaps } from './deidentify-uids.ts';
import { dicomMirror } from './dicom-test-files.ts';

const datasetDir = process.env['TESSERA_DICOM_DATASET'] ?? dicomMirror();
const ctSmall = readFileSync(`${datasetDir}/other-modalities/CT_small.dcm`);
const maps = createKeyedMaps(new Uint8Array(32).fill(5));

interface Dcmjs {
  data: {
    DicomMessage: { readFile(buffer: ArrayBuffer): { meta: Record<string, { vr: string; Value?: unknown[] }>; dict: Record<string, { vr: string; Value?: unknown[] }> } };
    DicomDict: new (meta: DicomJsonDataset) => { dict: DicomJsonDataset; write(): ArrayBuffer };
  };
}
const dcmjs = createRequire(import.meta.url)('dcmjs') as Dcmjs;

// CT_small.dcm re-written by dcmjs after `edit`, to make files the shared data set lacks.
function variant(edit: (meta: Record<string, { vr: string; Value?: unknown[] }>, dict: Record<string, { vr: string; Value?: unknown[] }>) => void): Uint8Array {
  const parsed = dcmjs.data.DicomMessage.readFile(new Uint8Array(ctSmall).buffer);
  const meta = { ...parsed.meta };
  const dict = { ...parsed.dict };
  delete meta['00020016'];
  edit(meta, dict);
  const out = new dcmjs.data.DicomDict(meta);
  out.dict = dict;
  return new Uint8Array(out.write());
}

function failure(file: string, bytes: Uint8Array): unknown {
  try {
    deidentifyPart10(file, bytes, maps);
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('deidentifyPart10 errors', () => {
  it('refuses a file without the DICM prefix, naming it', () => {
    const error = failure('notes.txt', new TextEncoder().encode('not dicom at all'));
    expect(isDeidentifyError(error) && error.kind).toBe('NotDicom');
    expect((error as Error).message).toMatch(/^notes\.txt: /u);
  });

  it('refuses a truncated file', () => {
    const error = failure('CT_small.dcm', ctSmall.subarray(0, 1200));
    expect(isDeidentifyError(error) && error.kind).toBe('UnreadableDicom');
  });

  it('refuses a DICOMDIR, which lists patients by name', () => {
    const bytes = variant((meta) => {
      meta['00020002'] = { vr: 'UI', Value: ['1.2.840.10008.1.3.10'] };
    });
    expect(isDeidentifyError(failure('DICOMDIR', bytes)) && (failure('DICOMDIR', bytes) as { kind: string }).kind).toBe('DicomDirectory');
  });

  it('refuses a retired big-endian file, naming the transfer syntax', () => {
    const bytes = variant((meta) => {
      meta['00020010'] = { vr: 'UI', Value: ['1.2.840.10008.1.2.2'] };
    });
    const error = failure('big.dcm', bytes);
    expect(isDeidentifyError(error) && error.kind === 'UnsupportedTransferSyntax' && error.transferSyntaxUid).toBe('1.2.840.10008.1.2.2');
  });

  it('refuses a kept attribute after the pixel data rather than drop or reorder it', () => {
    const bytes = variant((_meta, dict) => {
      dict['7FF00010'] = { vr: 'LO', Value: ['after pixels'] };
    });
    const error = failure('odd.dcm', bytes);
    expect(isDeidentifyError(error) && error.kind === 'PixelDataNotLast' && error.tag).toBe('(7FF0,0010)');
  });
});

describe('deidentifyDicomFolder with onError skip', () => {
  it('leaves out what it cannot de-identify, counting kinds but keeping no names in the report', () => {
    const result = deidentifyDicomFolder(
      [
        { name: 'Doe^John/readme.txt', bytes: new TextEncoder().encode('hello') },
        { name: 'Doe^John/CT_small.dcm', bytes: ctSmall },
      ],
      { onError: 'skip' },
    );
    expect(result.files).toHaveLength(1);
    expect(result.skipped.map((s) => [s.sourceName, s.error.kind])).toEqual([['Doe^John/readme.txt', 'NotDicom']]);
    expect(result.report.skipped).toEqual({ NotDicom: 1 });
    expect(JSON.stringify(result.report)).not.toContain('Doe^John');
  });

  it('throws the first failure by default', () => {
    expect(() => deidentifyDicomFolder([{ name: 'x.txt', bytes: new Uint8Array(10) }])).toThrow(/^x\.txt: not a DICOM/u);
  });
});
