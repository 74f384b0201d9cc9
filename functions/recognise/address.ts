/**
 * Service-address normalisation for matching: "1100 Congress Avenue, Apt. 4B" and
 * "1100 congress ave #4b" are one place. Pure, no I/O. Written by hand because no well-kept JS
 * library does USPS-style suffix/unit canonicalisation without a geocoding service behind it
 * (libpostal needs a native 2 GB model); this covers the forms callers and bots actually write.
 */

/** USPS Publication 28 street suffixes (common ones) -> standard abbreviation (Maps: address words are keys). */
const STREET_SUFFIXES = new Map<string, string>(
  Object.entries({
    alley: 'aly',
    ally: 'aly',
    aly: 'aly',
    avenue: 'ave',
    av: 'ave',
    ave: 'ave',
    aven: 'ave',
    avenu: 'ave',
    avn: 'ave',
    avnue: 'ave',
    boulevard: 'blvd',
    boul: 'blvd',
    boulv: 'blvd',
    blvd: 'blvd',
    circle: 'cir',
    circ: 'cir',
    circl: 'cir',
    crcl: 'cir',
    cir: 'cir',
    court: 'ct',
    crt: 'ct',
    ct: 'ct',
    cove: 'cv',
    cv: 'cv',
    drive: 'dr',
    driv: 'dr',
    drv: 'dr',
    dr: 'dr',
    expressway: 'expy',
    expy: 'expy',
    freeway: 'fwy',
    fwy: 'fwy',
    highway: 'hwy',
    hiway: 'hwy',
    hway: 'hwy',
    hwy: 'hwy',
    lane: 'ln',
    ln: 'ln',
    loop: 'loop',
    parkway: 'pkwy',
    parkwy: 'pkwy',
    pkway: 'pkwy',
    pky: 'pkwy',
    pkwy: 'pkwy',
    place: 'pl',
    pl: 'pl',
    plaza: 'plz',
    plz: 'plz',
    road: 'rd',
    rd: 'rd',
    square: 'sq',
    sqr: 'sq',
    sq: 'sq',
    street: 'st',
    strt: 'st',
    str: 'st',
    st: 'st',
    terrace: 'ter',
    terr: 'ter',
    ter: 'ter',
    trail: 'trl',
    trl: 'trl',
    way: 'way',
    wy: 'way',
  }),
);

const DIRECTIONS = new Map<string, string>(
  Object.entries({
    north: 'n',
    south: 's',
    east: 'e',
    west: 'w',
    northeast: 'ne',
    northwest: 'nw',
    southeast: 'se',
    southwest: 'sw',
    n: 'n',
    s: 's',
    e: 'e',
    w: 'w',
    ne: 'ne',
    nw: 'nw',
    se: 'se',
    sw: 'sw',
  }),
);

/** Unit designators: all collapse to "#" (the unit number is what identifies the place). */
const UNIT_WORDS = new Set([
  'apt',
  'apartment',
  'unit',
  'suite',
  'ste',
  'no',
  'number',
  'rm',
  'room',
  'bldg',
  'building',
  'fl',
  'floor',
  'lot',
  'spc',
  'space',
]);

function tokens(text: string): string[] {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/#/g, ' # ')
    .replace(/[^a-z0-9# ]+/g, ' ')
    .split(/\s+/)
    .filter(Boolean);
}

/** The street line: suffixes and directions abbreviated, unit forms ("Apt 4B", "#4B", "Unit 4B") as "#4b". */
export function normalizeStreet(line1: string, line2?: string): string {
  const words = tokens([line1, line2].filter(Boolean).join(' '));
  const out: string[] = [];
  let unit: string | undefined;
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (word === '#' || UNIT_WORDS.has(word)) {
      // The next token(s) that are not themselves designators are the unit number.
      let j = i + 1;
      while (j < words.length && (words[j] === '#' || UNIT_WORDS.has(words[j]!))) j++;
      if (j < words.length) {
        unit = words[j];
        i = j;
        continue;
      }
      continue;
    }
    // Only the first word may be a house number; a direction/suffix is abbreviated anywhere after it.
    out.push(i > 0 ? (STREET_SUFFIXES.get(word) ?? DIRECTIONS.get(word) ?? word) : word);
  }
  return unit ? `${out.join(' ')} #${unit}` : out.join(' ');
}

export interface AddressInput {
  line1: string;
  line2?: string;
  city?: string;
  region?: string;
  postalCode: string;
  country?: string;
}

/** One canonical key per service address: street (with unit) + 5-digit postal code + country. */
export function normalizeAddress(address: AddressInput): string {
  const postal = address.postalCode.toLowerCase().replace(/[^a-z0-9]/g, '');
  const country = (address.country ?? 'US').toUpperCase();
  const zip = country === 'US' ? postal.slice(0, 5) : postal;
  return `${normalizeStreet(address.line1, address.line2)}|${zip}|${country.toLowerCase()}`;
}
