import { formatTag, profileRuleFor, resolveAction } from './deidentify-profile.ts';
import type { ProfileAction, RuleSource } from './deidentify-profile.ts';
import type { DeidentifyKeyedMaps } from './deidentify-uids.ts';

/**
 * One attribute in dcmjs's DICOM JSON-like form: `Value` holds strings, numbers, `{ Alphabetic }` person names,
 * ArrayBuffers for binary VRs, or nested data sets for SQ.
 */
export interface DicomJsonElement {
  readonly vr: string;
  readonly Value?: readonly unknown[];
}

/** A data set keyed by `GGGGEEEE` tag, as dcmjs's `DicomMessage.readFile` returns `meta` and `dict`. */
export type DicomJsonDataset = Readonly<Record<string, DicomJsonElement>>;

export type AttributeChangeKind = 'removed' | 'emptied' | 'replaced' | 'uid-remapped' | 'pseudonymized' | 'added';

/** One change, by tag and keyword; never the original value. */
export interface AttributeChange {
  /** `(GGGG,EEEE)`, nested ones as `(0008,2112)[0].(0008,1155)`. */
  readonly path: string;
  readonly tag: string;
  readonly keyword: string;
  readonly change: AttributeChangeKind;
  /** The table's action, or the group rule (private, curve, overlay, group-length, file-meta) that applied. */
  readonly rule: ProfileAction | Exclude<RuleSource, 'table'> | 'marker';
}

export interface DeidentifiedDataset {
  readonly dataset: DicomJsonDataset;
  readonly changes: readonly AttributeChange[];
}

// PatientID's dummy is a keyed pseudonym rather than a constant, so a data set can still be split by patient
// (slices of one patient in both training and validation would leak). Nothing else needs linking.
const pseudonymizedTags: ReadonlySet<string> = new Set(['00100020']);

const textDummies: readonly [string, string] = ['ANONYMIZED', 'ANONYMOUS'];
const dummiesByVr: Readonly<Record<string, readonly [unknown, unknown]>> = {
  DA: ['19000101', '19000102'],
  TM: ['000000', '000001'],
  DT: ['19000101000000', '19000102000000'],
  AS: ['000Y', '001Y'],
  PN: [{ Alphabetic: 'ANONYMIZED' }, { Alphabetic: 'ANONYMOUS' }],
  UR: ['urn:anonymized', 'urn:anonymous'],
  DS: [0, 1],
  IS: [0, 1],
  US: [0, 1],
  SS: [0, 1],
  UL: [0, 1],
  SL: [0, 1],
  FL: [0, 1],
  FD: [0, 1],
  UV: [0, 1],
  SV: [0, 1],
  AE: textDummies,
  CS: textDummies,
  LO: textDummies,
  SH: textDummies,
  LT: textDummies,
  ST: textDummies,
  UT: textDummies,
  UC: textDummies,
};

function isEmptyValue(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value === 'string') return value.trim() === '';
  if (value instanceof ArrayBuffer) return value.byteLength === 0;
  if (ArrayBuffer.isView(value)) return value.byteLength === 0;
  if (typeof value === 'object') return Object.values(value).every(isEmptyValue);
  return false;
}

/** True when the element holds something other than padding or empty components. */
export function hasContent(element: DicomJsonElement): boolean {
  return (element.Value ?? []).some((value) => !isEmptyValue(value));
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

// A dummy that happens to equal the original would keep it, so the second dummy stands in then.
function dummyFor(element: DicomJsonElement): readonly unknown[] {
  const pair = dummiesByVr[element.vr];
  if (pair === undefined) return [];
  const original = element.Value ?? [];
  const [first, second] = pair;
  return [original.length === 1 && sameValue(original[0], first) ? second : first];
}

interface Walk {
  readonly maps: DeidentifyKeyedMaps;
  readonly changes: AttributeChange[];
}

function deidentifyItems(element: DicomJsonElement, path: string, walk: Walk): DicomJsonElement {
  const items = (element.Value ?? []).map((item, index) =>
    isDataset(item) ? walkDataset(item, `${path}[${index}].`, walk) : item,
  );
  return { vr: element.vr, Value: items };
}

function isDataset(value: unknown): value is DicomJsonDataset {
  return typeof value === 'object' && value !== null && !(value instanceof ArrayBuffer) && !ArrayBuffer.isView(value);
}

function walkDataset(dataset: DicomJsonDataset, prefix: string, walk: Walk): DicomJsonDataset {
  const out: Record<string, DicomJsonElement> = {};
  for (const [rawTag, element] of Object.entries(dataset)) {
    const tag = rawTag.toUpperCase();
    const path = `${prefix}${formatTag(tag)}`;
    const rule = profileRuleFor(tag);
    if (rule === undefined) {
      out[tag] = element.vr === 'SQ' ? deidentifyItems(element, path, walk) : element;
      continue;
    }
    const record = (change: AttributeChangeKind): void => {
      walk.changes.push({ path, tag: formatTag(tag), keyword: rule.keyword, change, rule: rule.source === 'table' ? rule.action : rule.source });
    };
    const resolved = resolveAction(rule.action, element.vr);
    switch (resolved) {
      case 'remove':
        record('removed');
        break;
      case 'empty':
        out[tag] = { vr: element.vr, Value: [] };
        if (hasContent(element)) record('emptied');
        break;
      case 'dummy': {
        if (pseudonymizedTags.has(tag)) {
          const values = (element.Value ?? []).map((value) => (typeof value === 'string' && value.trim() !== '' ? walk.maps.pseudonym(tag, value) : ''));
          out[tag] = { vr: element.vr, Value: values };
          if (hasContent(element)) record('pseudonymized');
          break;
        }
        const dummy = dummyFor(element);
        out[tag] = { vr: element.vr, Value: dummy };
        record(dummy.length === 0 ? 'emptied' : 'replaced');
        break;
      }
      case 'remap-uid': {
        const values = (element.Value ?? []).map((value) => (typeof value === 'string' && value.trim() !== '' ? walk.maps.remapUid(value) : ''));
        out[tag] = { vr: element.vr, Value: values };
        if (hasContent(element)) record('uid-remapped');
        break;
      }
      case 'keep-items-remap-uids':
      case 'keep':
        out[tag] = element.vr === 'SQ' ? deidentifyItems(element, path, walk) : element;
        break;
    }
  }
  return out;
}

/**
 * Applies the Basic Profile to one data set (a file's `dict` or its `meta`), recursing into every sequence, and lists
 * what it changed. Pure: the input is not modified; elements it changes are new objects without dcmjs's `_rawValue`,
 * so dcmjs writes the new value. Adds no markers; see `withDeidentificationMarkers`.
 */
export function deidentifyDataset(dataset: DicomJsonDataset, maps: DeidentifyKeyedMaps): DeidentifiedDataset {
  const changes: AttributeChange[] = [];
  return { dataset: walkDataset(dataset, '', { maps, changes }), changes };
}

/** The DeidentificationMethod (0012,0063) value this implementation writes. */
export const deidentificationMethod = 'PS3.15 E.1.1 Basic Profile, UIDs remapped (Tessera)';

const basicProfileCode: DicomJsonDataset = {
  '00080100': { vr: 'SH', Value: ['113100'] },
  '00080102': { vr: 'SH', Value: ['DCM'] },
  '00080104': { vr: 'LO', Value: ['Basic Application Confidentiality Profile'] },
};

/**
 * Sets the attributes PS3.15 E.1.1 requires of a de-identified instance: PatientIdentityRemoved (0012,0062) YES,
 * DeidentificationMethod (0012,0063) and its code sequence (0012,0064) with DCM 113100 (both appended to what an
 * earlier de-identification wrote), and LongitudinalTemporalInformationModified (0028,0303) REMOVED, since dates are
 * emptied or replaced by dummies rather than shifted.
 */
export function withDeidentificationMarkers(dataset: DicomJsonDataset): DeidentifiedDataset {
  const out: Record<string, DicomJsonElement> = { ...dataset };
  const changes: AttributeChange[] = [];
  const set = (tag: string, keyword: string, element: DicomJsonElement): void => {
    const change: AttributeChangeKind = dataset[tag] === undefined ? 'added' : 'replaced';
    out[tag] = element;
    changes.push({ path: formatTag(tag), tag: formatTag(tag), keyword, change, rule: 'marker' });
  };
  set('00120062', 'PatientIdentityRemoved', { vr: 'CS', Value: ['YES'] });
  const methods = (dataset['00120063']?.Value ?? []).filter((value) => typeof value === 'string' && value.trim() !== '');
  set('00120063', 'DeidentificationMethod', {
    vr: 'LO',
    Value: methods.includes(deidentificationMethod) ? methods : [...methods, deidentificationMethod],
  });
  const codes = (dataset['00120064']?.Value ?? []).filter(isDataset);
  const hasCode = codes.some((item) => item['00080100']?.Value?.[0] === '113100' && item['00080102']?.Value?.[0] === 'DCM');
  set('00120064', 'DeidentificationMethodCodeSequence', { vr: 'SQ', Value: hasCode ? codes : [...codes, basicProfileCode] });
  set('00280303', 'LongitudinalTemporalInformationModified', { vr: 'CS', Value: ['REMOVED'] });
  return { dataset: out, changes };
}
