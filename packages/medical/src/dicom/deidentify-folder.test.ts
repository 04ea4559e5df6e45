import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import dicomParser from 'dicom-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import { deidentificationMethod } from './deidentify-dataset.ts';
import { deidentifyDicomFolder } from './deidentify-folder.ts';
import type { DeidentifiedFolder, DicomUpload } from './deidentify-folder.ts';
import { profileRuleFor, resolveAction } from './deidentify-profile.ts';
import { createKeyedMaps } from './deidentify-uids.ts';
import { dicomMirror } from './dicom-test-files.ts';

// Every file of ../shared/datasets/dicom (26 files, 7.5 MB: see its PROVENANCE.md) through the ingest function, then
// checked with dicom-parser, a different parser from the dcmjs that wrote the output.
const datasetDir = process.env['TESSERA_DICOM_DATASET'] ?? dicomMirror();

// dicom-parser needs VRs for implicit-VR files to find sequences; dcmjs's dictionary supplies them.
const dictionary = (createRequire(import.meta.url)('dcmjs') as { data: { DicomMetaDictionary: { dictionary: Record<string, { vr?: string }> } } })
  .data.DicomMetaDictionary.dictionary;
const vrCallback = (tag: string): string | undefined => dictionary[`(${tag.slice(1, 5).toUpperCase()},${tag.slice(5).toUpperCase()})`]?.vr?.slice(0, 2);

// A fixed key: the search for original strings below must not pass or fail by the chance digits of random UIDs.
const key = new Uint8Array(32).fill(7);
const maps = createKeyedMaps(key);

const stringVrs = new Set(['AE', 'AS', 'CS', 'DA', 'DS', 'DT', 'IS', 'LO', 'LT', 'PN', 'SH', 'ST', 'TM', 'UC', 'UI', 'UR', 'UT']);

interface Found {
  readonly tag: string;
  readonly path: string;
  readonly vr: string | undefined;
  readonly value: Buffer;
}

function parse(bytes: Uint8Array): dicomParser.DataSet {
  return dicomParser.parseDicom(bytes, { vrCallback });
}

function walk(dataSet: dicomParser.DataSet, prefix = '', out: Found[] = []): Found[] {
  const bytes = Buffer.from(dataSet.byteArray.buffer, dataSet.byteArray.byteOffset, dataSet.byteArray.byteLength);
  for (const element of Object.values(dataSet.elements)) {
    const tag = element.tag.slice(1).toUpperCase();
    const path = `${prefix}${tag}`;
    const vr = element.vr ?? vrCallback(element.tag);
    if (element.items !== undefined) {
      element.items.forEach((item, index) => {
        if (item.dataSet !== undefined) walk(item.dataSet, `${path}[${index}].`, out);
      });
      continue;
    }
    if (tag === '7FE00010') continue;
    const raw = bytes.subarray(element.dataOffset, element.dataOffset + element.length);
    out.push({ tag, path, vr, value: Buffer.from(raw.toString('latin1').replace(/[\0 ]+$/u, ''), 'latin1') });
  }
  return out;
}

function pixelBytes(bytes: Uint8Array): Buffer {
  const element = parse(bytes).elements['x7fe00010'];
  if (element === undefined) throw new Error('no pixel data');
  return Buffer.from(bytes.buffer, bytes.byteOffset + element.dataOffset, element.length);
}

// Original values of attributes the profile changes (not K), as the strings a leak would show: whole values, each
// of a multi-valued attribute, each component of a person name; only those of 4 characters or more.
function identifyingStrings(found: readonly Found[]): Set<string> {
  const strings = new Set<string>();
  for (const { tag, vr, value } of found) {
    const rule = profileRuleFor(tag);
    if (rule === undefined || rule.action === 'K' || vr === undefined || !stringVrs.has(vr)) continue;
    const text = value.toString('latin1');
    for (const part of [text, ...text.split('\\'), ...text.split(/[\\^=]/u)]) {
      if (part.trim().length >= 4) strings.add(part.trim());
    }
  }
  return strings;
}

// Text the output may hold without leaking: the string values of attributes the profile keeps (BodyPartExamined
// "HEAD" may equal a removed StudyDescription), the markers this implementation writes ("REMOVED") and its dummy
// values (6154's StudyTime was "000000", the dummy time of its SeriesTime).
const dummies = ['19000101', '19000102', '000000', '000001', '19000101000000', '19000102000000', 'ANONYMIZED', 'ANONYMOUS'];

function keptText(found: readonly Found[]): string {
  const kept = found.filter(({ tag, vr }) => profileRuleFor(tag) === undefined && vr !== undefined && stringVrs.has(vr));
  return [...kept.map(({ value }) => value.toString('latin1')), 'YES', 'REMOVED', deidentificationMethod, '113100', 'Basic Application Confidentiality Profile', ...dummies].join('\n');
}

function listFiles(): DicomUpload[] {
  const uploads: DicomUpload[] = [];
  for (const folder of readdirSync(datasetDir).sort()) {
    const dir = join(datasetDir, folder);
    if (!statSync(dir).isDirectory()) continue;
    for (const name of readdirSync(dir).sort()) uploads.push({ name: `${folder}/${name}`, bytes: readFileSync(join(dir, name)) });
  }
  return uploads;
}

describe('deidentifyDicomFolder on every file of ../shared/datasets/dicom', () => {
  let uploads: DicomUpload[] = [];
  let result: DeidentifiedFolder;
  const outputOf = (index: number): Uint8Array => {
    const file = result.files[index];
    if (file === undefined) throw new Error(`no output for ${uploads[index]?.name}`);
    return file.bytes;
  };

  beforeAll(() => {
    uploads = listFiles();
    result = deidentifyDicomFolder(uploads, { key });
  });

  it('de-identifies all 26 files', () => {
    expect(uploads).toHaveLength(26);
    expect(result.files).toHaveLength(26);
    expect(result.skipped).toEqual([]);
  });

  it('keeps no original value of any attribute in the profile list, at any depth', () => {
    for (const [index, upload] of uploads.entries()) {
      const original = walk(parse(upload.bytes)).filter(({ tag, vr, value }) => {
        const rule = profileRuleFor(tag);
        return rule !== undefined && resolveAction(rule.action, vr ?? 'UN') !== 'keep' && value.length > 0;
      });
      const output = walk(parse(outputOf(index)));
      const kept = original.filter((o) => output.some((x) => x.tag === o.tag && x.value.equals(o.value)));
      expect(kept.map((k) => `${upload.name} ${k.path}`)).toEqual([]);
      expect(original.length).toBeGreaterThan(0);
    }
  });

  it('leaves none of the original identifying strings anywhere in the output bytes', () => {
    for (const [index, upload] of uploads.entries()) {
      const found = walk(parse(upload.bytes));
      const strings = identifyingStrings(found);
      const allowed = keptText(found);
      const output = Buffer.from(outputOf(index));
      const leaked = [...strings].filter((text) => !allowed.includes(text) && output.includes(Buffer.from(text, 'latin1')));
      expect(leaked.map((text) => `${upload.name}: ${text}`)).toEqual([]);
      expect(strings.size).toBeGreaterThan(0);
    }
  });

  it('copies the pixel data byte for byte', () => {
    for (const [index, upload] of uploads.entries()) {
      expect(pixelBytes(outputOf(index)).equals(pixelBytes(upload.bytes)), upload.name).toBe(true);
      const original = parse(upload.bytes).elements['x7fe00010'];
      const output = parse(outputOf(index)).elements['x7fe00010'];
      expect(output?.fragments?.map((f) => f.length), upload.name).toEqual(original?.fragments?.map((f) => f.length));
    }
  });

  it('writes valid DICOM: same rows, columns, transfer syntax and SOP class, with the PS3.15 markers', () => {
    for (const [index, upload] of uploads.entries()) {
      const original = parse(upload.bytes);
      const output = parse(outputOf(index));
      for (const tag of ['x00280010', 'x00280011']) expect(output.uint16(tag), `${upload.name} ${tag}`).toBe(original.uint16(tag));
      for (const tag of ['x00020010', 'x00080016', 'x00020002', 'x00080060']) expect(output.string(tag), `${upload.name} ${tag}`).toBe(original.string(tag));
      expect(output.string('x00120062')).toBe('YES');
      expect(output.string('x00120063')?.split('\\')).toContain(deidentificationMethod);
      expect(output.string('x00280303')).toBe('REMOVED');
      expect(output.string('x00020003')).toBe(output.string('x00080018'));
      const leftovers = walk(output).filter(({ tag }) => Number.parseInt(tag.slice(0, 4), 16) % 2 === 1 || (tag.endsWith('0000') && !tag.startsWith('0002')));
      expect(leftovers.map((l) => `${upload.name} ${l.path}`)).toEqual([]);
    }
  });

  it('maps UIDs consistently: one new UID per original series and study, references remapped alike', () => {
    const seriesMap = new Map<string, Set<string>>();
    const studyMap = new Map<string, Set<string>>();
    for (const [index, upload] of uploads.entries()) {
      const original = parse(upload.bytes);
      const output = parse(outputOf(index));
      for (const [tag, map] of [['x0020000e', seriesMap], ['x0020000d', studyMap]] as const) {
        const before = original.string(tag) ?? '';
        const after = output.string(tag) ?? '';
        expect(after).toMatch(/^2\.25\.\d{1,39}$/u);
        expect(after).toBe(maps.remapUid(before));
        map.set(before, (map.get(before) ?? new Set()).add(after));
      }
      const references = walk(original).filter((f) => f.tag === '00081155');
      const remapped = walk(output).filter((f) => f.tag === '00081155').map((f) => f.value.toString('latin1'));
      expect(remapped).toEqual(references.map((r) => maps.remapUid(r.value.toString('latin1'))));
    }
    expect(seriesMap.size).toBe(8);
    for (const news of [...seriesMap.values(), ...studyMap.values()]) expect(news.size).toBe(1);
    const newSeries = [...seriesMap.values()].flatMap((s) => [...s]);
    expect(new Set(newSeries).size).toBe(seriesMap.size);
    expect(result.report.series.map((s) => s.files.length).sort((a, b) => a - b)).toEqual([1, 1, 1, 1, 1, 5, 6, 10]);
  });

  it('re-reads with dcmjs too', () => {
    const dcmjs = createRequire(import.meta.url)('dcmjs') as { data: { DicomMessage: { readFile(buffer: ArrayBuffer): { dict: Record<string, unknown> } } } };
    for (const index of uploads.keys()) {
      const dict = dcmjs.data.DicomMessage.readFile(new Uint8Array(outputOf(index)).buffer).dict;
      expect(dict['7FE00010']).toBeDefined();
    }
  });

  it('keeps no original value or upload name in the data-set report', () => {
    const json = JSON.stringify(result.report);
    const strings = new Set(uploads.flatMap((u) => [...identifyingStrings(walk(parse(u.bytes))), u.name, u.name.split('/')[0] ?? '']));
    expect([...strings].filter((text) => json.includes(text))).toEqual([]);
    expect(result.report.fileCount).toBe(26);
    const names = result.files.map((f) => f.name);
    expect(new Set(names).size).toBe(26);
    expect(result.report.attributes.find((a) => a.tag === '(0010,0010)' && a.change === 'emptied')?.files).toBeGreaterThan(0);
  });
});
