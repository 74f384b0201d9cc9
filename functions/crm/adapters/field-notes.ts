/**
 * What the field needs to read before the visit, from the mapped fields (so the mapping table decides
 * what is written): access notes, the customer's own notes and their membership. Vendors without a
 * field for each (ServiceTitan bookings, Housecall Pro jobs) carry them as lines of the summary or note.
 */
const FIELD_NOTE_LINES: Array<[crmField: string, label: string]> = [
  ['access_notes', 'Access'],
  ['customer_notes', 'Customer notes'],
  ['membership', 'Member'],
];

export function fieldNotes(fields: Record<string, string | number | boolean>): string[] {
  return FIELD_NOTE_LINES.flatMap(([crmField, label]) => {
    const value = Object.hasOwn(fields, crmField) ? fields[crmField] : undefined;
    return value === undefined || value === '' ? [] : [`${label}: ${String(value)}`];
  });
}
