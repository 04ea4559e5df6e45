/**
 * The tags the reader uses, keyed by keyword, as dicom-parser addresses them (`xGGGGEEEE`). Errors name tags through
 * `describeTag`, so a message reads `(0028,0010) Rows` rather than a bare number.
 */
export const TAG = {
  TransferSyntaxUID: 'x00020010',
  SOPClassUID: 'x00080016',
  SOPInstanceUID: 'x00080018',
  Modality: 'x00080060',
  SliceThickness: 'x00180050',
  StudyInstanceUID: 'x0020000d',
  SeriesInstanceUID: 'x0020000e',
  InstanceNumber: 'x00200013',
  ImagePositionPatient: 'x00200032',
  ImageOrientationPatient: 'x00200037',
  SamplesPerPixel: 'x00280002',
  PhotometricInterpretation: 'x00280004',
  PlanarConfiguration: 'x00280006',
  NumberOfFrames: 'x00280008',
  Rows: 'x00280010',
  Columns: 'x00280011',
  PixelSpacing: 'x00280030',
  BitsAllocated: 'x00280100',
  BitsStored: 'x00280101',
  HighBit: 'x00280102',
  PixelRepresentation: 'x00280103',
  PixelPaddingValue: 'x00280120',
  WindowCenter: 'x00281050',
  WindowWidth: 'x00281051',
  RescaleIntercept: 'x00281052',
  RescaleSlope: 'x00281053',
  PixelData: 'x7fe00010',
} as const;

export type TagKeyword = keyof typeof TAG;

const KEYWORD_BY_TAG = new Map<string, string>(Object.entries(TAG).map(([keyword, tag]) => [tag, keyword]));

/** `x00280010` -> `(0028,0010) Rows`; tags outside the table print without a keyword. */
export function describeTag(tag: string): string {
  const hex = tag.replace(/^x/, '').toUpperCase();
  const keyword = KEYWORD_BY_TAG.get(tag.toLowerCase());
  const group = `(${hex.slice(0, 4)},${hex.slice(4, 8)})`;
  return keyword === undefined ? group : `${group} ${keyword}`;
}

/** The description of a tag by keyword, for error details. */
export function tagName(keyword: TagKeyword): string {
  return describeTag(TAG[keyword]);
}
