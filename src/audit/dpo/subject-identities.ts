/** One record of the identity index, as a subject access report lists it. */
export interface SourceRecordEntry {
  source: string;
  sourceKey: string;
  /** Everything the hub's identity index holds from that record. */
  record: Record<string, unknown>;
}

/**
 * What the DPO's queries need of the identity index, which the identity module owns and implements
 * (PersonDirectory): the audit module reads no identity table and imports nothing of the identity module.
 * Without it (the audit module standing alone) only the ids asked for are searched, and no source record.
 */
export abstract class SubjectIdentities {
  /**
   * Every id that stands for the same person as `personId` in the identity index: the survivor it was
   * merged into (followed to the end) and every id merged into that survivor, `personId` first. A merge
   * says the ids are one human being, so what was seen through any of them is about that person: a subject
   * access report or access timeline of one id that left out events naming another would hide disclosures
   * (a view of the survivor, or of the merged id before the merge). Just `personId` when the hub has no
   * identity index or the id is not a person id.
   */
  abstract samePersonIds(personId: string): Promise<string[]>;

  /**
   * The identity index's records linked to these persons, every column (the subject is entitled to see
   * them); `searched` is false when this hub has no identity index.
   */
  abstract linkedRecords(personIds: readonly string[]): Promise<{ searched: boolean; records: SourceRecordEntry[] }>;
}

/** The audit module standing alone: no identity index to search. */
export const noIdentityIndex: SubjectIdentities = {
  samePersonIds: (personId) => Promise.resolve([personId]),
  linkedRecords: () => Promise.resolve({ searched: false, records: [] }),
};
