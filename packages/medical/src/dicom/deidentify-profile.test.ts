import { describe, expect, it } from 'vitest';
import { basicProfileTable } from './deidentify-profile-table.ts';
import { profileRuleFor, resolveAction } from './deidentify-profile.ts';

// The classic identifiers, with their Basic Profile actions read off PS3.15 Table E.1-1 by hand: if the table file
// loses or changes one of these, this fails even though the data-driven tests derive their lists from the table.
const classic: ReadonlyArray<readonly [tag: string, action: string]> = [
  ['00100010', 'Z'], // PatientName
  ['00100020', 'Z/D'], // PatientID
  ['00100030', 'Z'], // PatientBirthDate
  ['00100040', 'Z'], // PatientSex
  ['00101010', 'X'], // PatientAge
  ['00101040', 'X'], // PatientAddress
  ['00101000', 'X'], // OtherPatientIDs
  ['00101001', 'X'], // OtherPatientNames
  ['00102154', 'X'], // PatientTelephoneNumbers
  ['00080050', 'Z'], // AccessionNumber
  ['00080080', 'X/Z/D'], // InstitutionName
  ['00080081', 'X'], // InstitutionAddress
  ['00080090', 'Z'], // ReferringPhysicianName
  ['00081050', 'X'], // PerformingPhysicianName
  ['00081060', 'X'], // NameOfPhysiciansReadingStudy
  ['00081070', 'X/Z/D'], // OperatorsName
  ['00081010', 'X/Z/D'], // StationName
  ['00181000', 'X/Z/D'], // DeviceSerialNumber
  ['00200010', 'Z'], // StudyID
  ['00080020', 'Z'], // StudyDate
  ['00080030', 'Z'], // StudyTime
  ['00080021', 'X/D'], // SeriesDate
  ['00080022', 'X/Z'], // AcquisitionDate
  ['00080023', 'Z/D'], // ContentDate
  ['00081030', 'X'], // StudyDescription
  ['0008103E', 'X'], // SeriesDescription
  ['00204000', 'X'], // ImageComments
  ['0020000D', 'U'], // StudyInstanceUID
  ['0020000E', 'U'], // SeriesInstanceUID
  ['00080018', 'U'], // SOPInstanceUID
  ['00020003', 'U'], // MediaStorageSOPInstanceUID
  ['00200052', 'U'], // FrameOfReferenceUID
  ['00081155', 'U'], // ReferencedSOPInstanceUID
  ['00082112', 'X/Z/U*'], // SourceImageSequence
  ['00081140', 'X/Z/U*'], // ReferencedImageSequence
];

describe('the Basic Profile table', () => {
  it('lists the classic identifiers with the standard actions', () => {
    for (const [tag, action] of classic) expect(profileRuleFor(tag)?.action, tag).toBe(action);
  });

  it('has one row per tag, upper-case GGGGEEEE, and more than 600 rows', () => {
    const tags = basicProfileTable.map(([tag]) => tag);
    expect(new Set(tags).size).toBe(tags.length);
    expect(tags.every((tag) => /^[0-9A-F]{8}$/u.test(tag))).toBe(true);
    expect(tags.length).toBeGreaterThan(600);
  });

  it('removes private, curve, overlay and group-length attributes by rule and leaves the rest alone', () => {
    expect(profileRuleFor('00091001')?.source).toBe('private');
    expect(profileRuleFor('00290010')?.source).toBe('private');
    expect(profileRuleFor('50003000')?.source).toBe('curve');
    expect(profileRuleFor('601e0010')?.source).toBe('overlay');
    expect(profileRuleFor('60003000')?.action).toBe('X');
    expect(profileRuleFor('00100000')?.source).toBe('group-length');
    expect(profileRuleFor('00020016')?.source).toBe('file-meta');
    for (const kept of ['00080016', '00080060', '00280010', '00281052', '7FE00010', '00020010', '60200010']) expect(profileRuleFor(kept), kept).toBeUndefined();
  });

  it('resolves compound actions to the option valid for any IOD', () => {
    expect(resolveAction('Z/D', 'DA')).toBe('dummy');
    expect(resolveAction('X/Z', 'DA')).toBe('empty');
    expect(resolveAction('X/Z/D', 'SQ')).toBe('empty');
    expect(resolveAction('X/Z/U*', 'SQ')).toBe('keep-items-remap-uids');
    expect(resolveAction('X/Z/U*', 'UI')).toBe('remap-uid');
    expect(resolveAction('U', 'LO')).toBe('empty');
    expect(resolveAction('X', 'PN')).toBe('remove');
  });
});
