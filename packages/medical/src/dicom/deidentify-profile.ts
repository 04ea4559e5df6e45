import { basicProfileTable } from './deidentify-profile-table.ts';

/**
 * An action of PS3.15 Table E.1-1: D dummy value, Z zero-length value, X remove, K keep, C clean, U replace UID; the
 * compound actions let the implementation pick by the attribute's Type in the IOD at hand.
 */
export type ProfileAction = 'D' | 'Z' | 'X' | 'K' | 'C' | 'U' | 'Z/D' | 'X/Z' | 'X/D' | 'X/Z/D' | 'X/Z/U*';

/** Where the rule for an attribute comes from: the table, or one of the profile's rules for groups of tags. */
export type RuleSource = 'table' | 'private' | 'curve' | 'overlay' | 'group-length' | 'file-meta';

export interface ProfileRule {
  readonly source: RuleSource;
  readonly keyword: string;
  readonly action: ProfileAction;
}

/** What this implementation does to an attribute. */
export type ResolvedAction = 'remove' | 'empty' | 'dummy' | 'remap-uid' | 'keep' | 'keep-items-remap-uids';

const tableRules: ReadonlyMap<string, ProfileRule> = new Map(
  basicProfileTable.map(([tag, keyword, action]) => [tag, { source: 'table', keyword, action }]),
);

// File meta elements that name the sending and receiving systems or carry private data (PS3.10 7.1); Type 3, so
// removing them keeps the header valid. The table lists only (0002,0003) MediaStorageSOPInstanceUID.
const fileMetaRules: ReadonlyMap<string, ProfileRule> = new Map([
  ['00020016', { source: 'file-meta', keyword: 'SourceApplicationEntityTitle', action: 'X' }],
  ['00020017', { source: 'file-meta', keyword: 'SendingApplicationEntityTitle', action: 'X' }],
  ['00020018', { source: 'file-meta', keyword: 'ReceivingApplicationEntityTitle', action: 'X' }],
  ['00020100', { source: 'file-meta', keyword: 'PrivateInformationCreatorUID', action: 'X' }],
  ['00020102', { source: 'file-meta', keyword: 'PrivateInformation', action: 'X' }],
]);

/**
 * The rule for a tag (`GGGGEEEE`, hex) or undefined when the profile leaves the attribute alone. Odd groups are
 * private and removed (the Basic Profile keeps no private attribute without the Retain Safe Private option); curve
 * groups (50xx) and overlay groups (60xx) go whole, since the table removes their data and comments and an overlay
 * without its data is invalid; group lengths (gggg,0000) go because they would be wrong after the changes (they are
 * retired outside the file meta header, whose length dcmjs writes itself).
 */
export function profileRuleFor(tag: string): ProfileRule | undefined {
  const upper = tag.toUpperCase();
  const group = Number.parseInt(upper.slice(0, 4), 16);
  const element = upper.slice(4);
  if (group % 2 === 1) return { source: 'private', keyword: 'private attribute', action: 'X' };
  if (element === '0000') return { source: 'group-length', keyword: 'group length', action: 'X' };
  if (group >= 0x5000 && group <= 0x501e) return { source: 'curve', keyword: 'curve', action: 'X' };
  if (group >= 0x6000 && group <= 0x601e) return { source: 'overlay', keyword: 'overlay', action: 'X' };
  return tableRules.get(upper) ?? fileMetaRules.get(upper);
}

/**
 * Resolves a table action to what is done to an attribute of the given VR. Without the IOD's Type of each attribute,
 * a compound action takes the option that keeps every IOD valid: D over Z over X (a dummy satisfies Type 1, a
 * zero-length value Type 2), and X/Z/U* keeps the items of its sequence with the profile applied inside, which
 * replaces the UIDs in them. D and Z on a sequence leave it with no items, since a dummy item could only repeat
 * whatever the original items held.
 */
export function resolveAction(action: ProfileAction, vr: string): ResolvedAction {
  switch (action) {
    case 'X':
      return 'remove';
    case 'Z':
    case 'X/Z':
      return 'empty';
    case 'D':
    case 'C':
    case 'Z/D':
    case 'X/D':
    case 'X/Z/D':
      return vr === 'SQ' ? 'empty' : 'dummy';
    case 'U':
      return vr === 'UI' ? 'remap-uid' : 'empty';
    case 'X/Z/U*':
      if (vr === 'SQ') return 'keep-items-remap-uids';
      return vr === 'UI' ? 'remap-uid' : 'empty';
    case 'K':
      return 'keep';
  }
}

/** `(GGGG,EEEE)` for a `GGGGEEEE` tag, the form reports and errors use. */
export function formatTag(tag: string): string {
  const upper = tag.toUpperCase();
  return `(${upper.slice(0, 4)},${upper.slice(4)})`;
}
