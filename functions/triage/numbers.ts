/**
 * Numbers as speech-to-text and people write them, turned into digits before the rules read a
 * message: "twenty eight" -> 28, "ninety-one" -> 91, "a hundred and five" -> 105, "veinte" -> 20,
 * "cuarenta y cinco" -> 45, "mid nineties" -> 95, "low 90s" -> 92, "upper eighties" -> 88.
 * Pure: tokens in (lowercase words, no accents), tokens out.
 */

/** Units and teens, English and Spanish. */
const SMALL = new Map<string, number>(
  Object.entries({
    zero: 0,
    one: 1,
    two: 2,
    three: 3,
    four: 4,
    five: 5,
    six: 6,
    seven: 7,
    eight: 8,
    nine: 9,
    ten: 10,
    eleven: 11,
    twelve: 12,
    thirteen: 13,
    fourteen: 14,
    fifteen: 15,
    sixteen: 16,
    seventeen: 17,
    eighteen: 18,
    nineteen: 19,
    cero: 0,
    uno: 1,
    dos: 2,
    tres: 3,
    cuatro: 4,
    cinco: 5,
    seis: 6,
    siete: 7,
    ocho: 8,
    nueve: 9,
    diez: 10,
    once: 11,
    doce: 12,
    trece: 13,
    catorce: 14,
    quince: 15,
    dieciseis: 16,
    diecisiete: 17,
    dieciocho: 18,
    diecinueve: 19,
    veintiuno: 21,
    veintidos: 22,
    veintitres: 23,
    veinticuatro: 24,
    veinticinco: 25,
    veintiseis: 26,
    veintisiete: 27,
    veintiocho: 28,
    veintinueve: 29,
  }),
);

/** Tens, English and Spanish (plural forms are for "the nineties"). */
const TENS = new Map<string, number>(
  Object.entries({
    twenty: 20,
    thirty: 30,
    forty: 40,
    fourty: 40,
    fifty: 50,
    sixty: 60,
    seventy: 70,
    eighty: 80,
    ninety: 90,
    veinte: 20,
    treinta: 30,
    cuarenta: 40,
    cincuenta: 50,
    sesenta: 60,
    setenta: 70,
    ochenta: 80,
    noventa: 90,
  }),
);

const DECADES = new Map<string, number>(
  Object.entries({
    twenties: 20,
    thirties: 30,
    forties: 40,
    fifties: 50,
    sixties: 60,
    seventies: 70,
    eighties: 80,
    nineties: 90,
  }),
);

/** "mid nineties" -> 95: where in the decade each word puts the number. */
const DECADE_PLACE = new Map<string, number>(Object.entries({ low: 2, lower: 2, mid: 5, middle: 5, high: 8, upper: 8, the: 5 }));

const HUNDRED = new Set(['hundred', 'cien', 'ciento']);
const AND = new Set(['and', 'y']);

/** Reads one number starting at i: its value and how many tokens it took, or null. */
function readNumber(tokens: readonly string[], i: number): { value: number; length: number } | null {
  const t = tokens[i]!;
  let value: number | undefined;
  let length = 1;
  if (/^\d{1,3}$/.test(t)) value = Number(t);
  else if (SMALL.has(t)) value = SMALL.get(t);
  else if (TENS.has(t)) value = TENS.get(t);
  else if ((t === 'a' || t === 'one') && HUNDRED.has(tokens[i + 1] ?? '')) {
    value = 1;
  } else if (HUNDRED.has(t)) {
    value = 100;
    length = 1;
    const rest = restAfterHundred(tokens, i + 1);
    return { value: 100 + rest.value, length: 1 + rest.length };
  }
  if (value === undefined) return null;
  // "a hundred (and) five", "one hundred ten"
  if (value === 1 && HUNDRED.has(tokens[i + 1] ?? '')) {
    const rest = restAfterHundred(tokens, i + 2);
    return { value: 100 + rest.value, length: 2 + rest.length };
  }
  // "twenty eight", "ninety-one" (the hyphen is a space by now), "cuarenta y cinco"
  if (TENS.has(t) || (/^\d{2}$/.test(t) && Number(t) % 10 === 0 && Number(t) >= 20)) {
    const next = tokens[i + 1] ?? '';
    const afterAnd = AND.has(next) ? (tokens[i + 2] ?? '') : '';
    const unit = SMALL.get(next) ?? (afterAnd ? SMALL.get(afterAnd) : undefined);
    if (unit !== undefined && unit >= 1 && unit <= 9 && !/^\d/.test(t)) {
      length += AND.has(next) ? 2 : 1;
      value += unit;
    }
  }
  return { value, length };
}

function restAfterHundred(tokens: readonly string[], i: number): { value: number; length: number } {
  let j = i;
  if (AND.has(tokens[j] ?? '')) j++;
  const t = tokens[j];
  if (!t || HUNDRED.has(t)) return { value: 0, length: 0 };
  if (!SMALL.has(t) && !TENS.has(t)) return { value: 0, length: 0 };
  const n = readNumber(tokens, j);
  if (!n || n.value >= 100) return { value: 0, length: 0 };
  return { value: n.value, length: j - i + n.length };
}

/** Replaces number words, decades and "90 s" with digit tokens; other tokens pass through. */
export function numbersToDigits(tokens: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    // "mid nineties", "low 90s" ("90s" is "90 s" by now), "the upper eighties"
    const place = DECADE_PLACE.get(t);
    if (place !== undefined) {
      const next = tokens[i + 1] ?? '';
      const decade = DECADES.get(next) ?? (/^\d0$/.test(next) && tokens[i + 2] === 's' ? Number(next) : undefined);
      if (decade !== undefined) {
        if (t === 'the') out.push(t);
        out.push(String(decade + place));
        i += DECADES.has(next) ? 1 : 2;
        continue;
      }
    }
    if (DECADES.has(t)) {
      out.push(String(DECADES.get(t)! + 5));
      continue;
    }
    if (/^\d0$/.test(t) && tokens[i + 1] === 's') {
      out.push(String(Number(t) + 5));
      i += 1;
      continue;
    }
    // "one" alone is usually not a number ("the only one"); keep words that are not numbers here.
    if ((t === 'one' || t === 'uno' || t === 'a' || t === 'once') && !HUNDRED.has(tokens[i + 1] ?? '')) {
      out.push(t);
      continue;
    }
    const n = /^\d+$/.test(t) ? null : readNumber(tokens, i);
    if (n) {
      out.push(String(n.value));
      i += n.length - 1;
      continue;
    }
    // "1 hundred", digits followed by "hundred"
    out.push(t);
  }
  return out;
}
