/**
 * Evidence for a consent or an objection is a reference to where it is kept, never a free-text note:
 * `SYSTEM:REFERENCE`, the system or register that holds it, then its reference there. A DPO (or the
 * person, under a subject access request) can then go and read the signed form, the letter or the call
 * note, and a reference cannot carry the person's story or health details into the hub.
 * Examples: `EDRMS:EH-2025-00123`, `MOSAIC:DOC/88231`, `CRM:CASE-4471/NOTE-9`, `POST:2025/06/0142`.
 */
const evidencePattern = /^[A-Z][A-Z0-9-]{1,19}:[A-Za-z0-9][A-Za-z0-9._/-]{3,99}$/;

export const EVIDENCE_FORMAT =
  'SYSTEM:REFERENCE, e.g. EDRMS:EH-2025-00123: the system that holds the evidence (2-20 capital letters, digits or -), a colon, ' +
  'then its numbered reference there (4-100 letters, digits and . _ / -, with at least one digit)';

/** Why `evidence` is not a usable reference, or undefined when it is. */
export function evidenceProblem(evidence: string | undefined | null): string | undefined {
  const value = evidence?.trim() ?? '';
  if (!value) return 'it is missing';
  if (!evidencePattern.test(value)) return 'it is not a reference';
  const reference = value.slice(value.indexOf(':') + 1);
  // A document, note or letter is numbered; "EDRMS:form" or "CRM:----" points at nothing in particular.
  if (!/\d/.test(reference) || new Set(reference.replace(/[._/-]/g, '')).size < 2)
    return 'it does not identify one document';
  return undefined;
}
