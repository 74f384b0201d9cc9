/**
 * The triage classifier: what an inbound request is, how urgent, which job type, and where it goes.
 * Pure (no I/O): text + rules in, an answer out; never throws on any string.
 *
 * Normalise (lowercase, common typos, "a/c" -> "ac", "40°" -> "40 degrees") -> stemmed words ->
 * phrase matches (in order, small gaps, negation in the same clause cancels) -> emergencies first
 * (rule phrases, then no heat / no cooling with a temperature past the rule's threshold) -> intent
 * scores (quote, membership, billing vs service) -> job-type scores and a confidence -> route.
 * Low confidence goes to a person, never to a guess.
 */
import { numbersToDigits } from './numbers';
import type { TriageRules } from './rules';

export const INTENTS = ['emergency', 'routine_service', 'quote_request', 'membership', 'billing', 'other'] as const;
export const URGENCIES = ['emergency', 'urgent', 'routine'] as const;
export const ROUTES = ['book_now', 'emergency_path', 'estimate_visit', 'membership_desk', 'billing', 'human'] as const;
export type Intent = (typeof INTENTS)[number];
export type Urgency = (typeof URGENCIES)[number];
export type Route = (typeof ROUTES)[number];

export interface TriageAnswer {
  intent: Intent;
  trade: string | null;
  urgency: Urgency;
  jobType: { jobTypeId: string; confidence: number } | null;
  reasons: string[];
  route: Route;
  /** Temperatures read from the text (°F), when any. */
  temperatures?: Array<{ value: number; outdoor: boolean }>;
}

const MAX_TEXT = 20_000;

/** Misspellings and variants seen on calls and chats, mapped to the word the rules use (a Map: caller words are keys). */
const TYPOS = new Map<string, string>(
  Object.entries({
    watter: 'water',
    wtaer: 'water',
    heatr: 'heater',
    heator: 'heater',
    hetaer: 'heater',
    furnance: 'furnace',
    furnice: 'furnace',
    furnase: 'furnace',
    fernace: 'furnace',
    leek: 'leak',
    leeking: 'leaking',
    leaing: 'leaking',
    lekaing: 'leaking',
    leakin: 'leaking',
    clogd: 'clogged',
    cloged: 'clogged',
    clodded: 'clogged',
    clooged: 'clogged',
    toliet: 'toilet',
    toilette: 'toilet',
    tiolet: 'toilet',
    sewar: 'sewer',
    sewerage: 'sewage',
    sewge: 'sewage',
    drian: 'drain',
    drane: 'drain',
    faucett: 'faucet',
    fawcet: 'faucet',
    facet: 'faucet',
    thermastat: 'thermostat',
    thermostate: 'thermostat',
    themostat: 'thermostat',
    airconditioner: 'air conditioner',
    aircon: 'ac',
    airconditioning: 'air conditioning',
    conditoner: 'conditioner',
    condtioner: 'conditioner',
    emergancy: 'emergency',
    emergeny: 'emergency',
    emergncy: 'emergency',
    smel: 'smell',
    smeel: 'smell',
    smellin: 'smelling',
    peipe: 'pipe',
    piep: 'pipe',
    brust: 'burst',
    bursted: 'burst',
    bust: 'burst',
    busted: 'burst',
    flodded: 'flooded',
    floding: 'flooding',
    estimat: 'estimate',
    estamate: 'estimate',
    qoute: 'quote',
    qote: 'quote',
    quoate: 'quote',
    memebership: 'membership',
    membrship: 'membership',
    invioce: 'invoice',
    invoce: 'invoice',
    recipt: 'receipt',
    reciept: 'receipt',
    maintanence: 'maintenance',
    maintenence: 'maintenance',
    maintainance: 'maintenance',
    maintnance: 'maintenance',
    tuneup: 'tune up',
    checkup: 'check up',
    watersoftener: 'water softener',
    waterheater: 'water heater',
    hotwater: 'hot water',
    isnt: 'not',
    aint: 'not',
    arent: 'not',
    doesnt: 'not',
    didnt: 'not',
    wasnt: 'not',
    wont: 'not',
    werent: 'not',
    u: 'you',
    pls: 'please',
    plz: 'please',
    asap: 'asap',
    tmrw: 'tomorrow',
    tmr: 'tomorrow',
    rn: 'right now',
    ur: 'your',
    w: 'with',
    sparkin: 'sparking',
    sparkng: 'sparking',
    monoxyde: 'monoxide',
    monixide: 'monoxide',
    bathrom: 'bathroom',
    kitchin: 'kitchen',
    celing: 'ceiling',
    cieling: 'ceiling',
    disposall: 'disposal',
    disposer: 'disposal',
    coolin: 'cooling',
    heatin: 'heating',
    workin: 'working',
    comming: 'coming',
    comin: 'coming',
    blowin: 'blowing',
    runnin: 'running',
    drippin: 'dripping',
    makin: 'making',
    gettin: 'getting',
    hse: 'house',
    tonite: 'tonight',
    degress: 'degrees',
    degees: 'degrees',
    deg: 'degrees',
    f: 'degrees',
    fahrenheit: 'degrees',
  }),
);

const NEGATORS = new Set([
  'no',
  'not',
  'isnt',
  'arent',
  'dont',
  'doesnt',
  'didnt',
  'wasnt',
  'werent',
  'never',
  'without',
  'nothing',
  'noth',
  'nor',
  'neither',
  'havent',
  'hasnt',
  'cant',
  'nobody',
  'noone',
  'none',
  'before',
  'befor',
  'non',
  'nadie',
]);
const CLAUSE_BREAKS = new Set(['.', 'and', 'but', 'also', 'though', 'however', 'plus', 'plu', 'so', 'then', 'y', 'pero', 'tambien']);
/** "the CO detector is fine": a phrase followed by one of these in its clause does not count. */
const ALL_CLEAR = new Set(['fine', 'fin', 'ok', 'okay', 'normal']);

/** A tiny suffix stemmer (enough for leak/leaks/leaking/leaked, clog/clogged, spark/sparking). */
export function stem(word: string): string {
  let w = word;
  if (/^\d+$/.test(w) || w.length <= 3) return w;
  if (w.endsWith('ies') && w.length > 4) w = `${w.slice(0, -3)}y`;
  else if (w.endsWith('ing') && w.length > 5) w = w.slice(0, -3);
  else if (w.endsWith('ed') && w.length > 4) w = w.slice(0, -2);
  else if (w.endsWith('s') && !w.endsWith('ss') && !w.endsWith('us') && w.length > 3) w = w.slice(0, -1);
  if (w.length > 3 && /([b-df-hj-np-tv-z])\1$/.test(w) && !/(ll|ss|zz|ff)$/.test(w)) w = w.slice(0, -1);
  if (w.length > 3 && w.endsWith('e')) w = w.slice(0, -1);
  return w;
}

/** Lowercased, typo-corrected, apostrophes dropped, "." kept as a clause break; raw words (not stemmed). */
export function words(text: string): string[] {
  const normalised = text
    .slice(0, MAX_TEXT)
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[’‘`´]/g, "'")
    // "heat's out", "ac's out", "she's 88": the 's goes (it is, has, or a possessive)
    .replace(/'s\b/g, '')
    .replace(/\bh2o\b/g, ' water ')
    .replace(/\ba\s*\/\s*c\b|\ba\.c\.?/g, ' ac ')
    .replace(/°\s*f?/g, ' degrees ')
    .replace(/(\d)([a-z])/g, '$1 $2')
    .replace(/([a-z])(\d)/g, '$1 $2')
    .replace(/'/g, '')
    .replace(/[.!?;,:()\n]+/g, ' . ')
    .replace(/[^a-z0-9. ]+/g, ' ');
  const out: string[] = [];
  for (const raw of normalised.split(/\s+/)) {
    if (!raw) continue;
    if (raw === '.') {
      if (out.length && out[out.length - 1] !== '.') out.push('.');
      continue;
    }
    if (raw.includes('.')) {
      // "3.5" or "e.g" -- keep the pieces
      for (const piece of raw.split('.')) if (piece) out.push(piece);
      continue;
    }
    const fixed = TYPOS.get(raw) ?? raw;
    out.push(...fixed.split(' '));
  }
  return numbersToDigits(out);
}

interface Phrase {
  text: string;
  stems: string[];
  weight: number;
  negatable: boolean;
  /** Words at most this far apart (a phrase written `=words` allows no gap). */
  maxGap: number;
}

const phraseCache = new Map<string, Phrase>();
function compilePhrase(spec: string): Phrase {
  const cached = phraseCache.get(spec);
  if (cached) return cached;
  const exact = spec.startsWith('=');
  const [text, weightText] = (exact ? spec.slice(1) : spec).split('^');
  const stems = words(text ?? '')
    .filter((w) => w !== '.')
    .map(stem);
  const weight = weightText && Number.isFinite(Number(weightText)) ? Number(weightText) : Math.min(3, stems.length);
  const phrase = { text: (text ?? '').trim(), stems, weight, negatable: !NEGATORS.has(words(text ?? '')[0] ?? ''), maxGap: exact ? 0 : MAX_GAP };
  if (phraseCache.size < 10_000) phraseCache.set(spec, phrase);
  return phrase;
}

interface Match {
  phrase: Phrase;
  start: number;
  end: number;
}

const MAX_GAP = 2;

/** First non-negated occurrence of the phrase (in order, at most MAX_GAP filler words between words). */
/** Where each word occurs in a token list (built once per list): a phrase is only tried where its first word is. */
const positionsCache = new WeakMap<string[], Map<string, number[]>>();
function positionsOf(tokens: string[]): Map<string, number[]> {
  let index = positionsCache.get(tokens);
  if (!index) {
    index = new Map();
    for (let i = 0; i < tokens.length; i++) {
      const list = index.get(tokens[i]!);
      if (list) list.push(i);
      else index.set(tokens[i]!, [i]);
    }
    positionsCache.set(tokens, index);
  }
  return index;
}

function findPhrase(tokens: string[], phrase: Phrase): Match | null {
  const { stems } = phrase;
  if (!stems.length) return null;
  for (const i of positionsOf(tokens).get(stems[0]!) ?? []) {
    let pos = i;
    let ok = true;
    for (let k = 1; k < stems.length && ok; k++) {
      ok = false;
      for (let j = pos + 1; j <= pos + 1 + phrase.maxGap && j < tokens.length; j++) {
        if (tokens[j] === stems[k]) {
          pos = j;
          ok = true;
          break;
        }
        if (tokens[j] === '.' || NEGATORS.has(tokens[j]!)) break;
      }
    }
    if (!ok) continue;
    if (phrase.negatable && (negated(tokens, i) || allClear(tokens, pos))) continue;
    return { phrase, start: i, end: pos };
  }
  return null;
}

function negated(tokens: string[], start: number): boolean {
  for (let j = start - 1; j >= Math.max(0, start - 4); j--) {
    const t = tokens[j]!;
    if (CLAUSE_BREAKS.has(t)) return false;
    if (NEGATORS.has(t)) return true;
  }
  return false;
}

function allClear(tokens: string[], end: number): boolean {
  for (let j = end + 1; j <= Math.min(tokens.length - 1, end + 3); j++) {
    const t = tokens[j]!;
    if (CLAUSE_BREAKS.has(t)) return false;
    if (ALL_CLEAR.has(t)) return true;
  }
  return false;
}

/** Matches of each phrase; `plain` skips negation and "is fine" (for `unless` lists, which only veto). */
function matchAll(tokens: string[], specs: readonly string[], plain = false): Match[] {
  const out: Match[] = [];
  for (const spec of specs) {
    const compiled = compilePhrase(spec);
    const m = findPhrase(tokens, plain ? { ...compiled, negatable: false } : compiled);
    if (m) out.push(m);
  }
  return out;
}

/** Removes matches contained in a longer match (so "hot water" does not count again inside "no hot water"). */
function dedupe(matches: Match[]): Match[] {
  return matches.filter(
    (m, i) =>
      !matches.some(
        (o, k) => o !== m && o.start <= m.start && o.end >= m.end && (o.end - o.start > m.end - m.start || (o.start === m.start && o.end === m.end && k < i)),
      ),
  );
}

const score = (matches: Match[]) => dedupe(matches).reduce((sum, m) => sum + m.phrase.weight, 0);

/** A set of words as the classifier sees them (stemmed). */
const stemmedSet = (list: string[]) => new Set(list.flatMap((w) => [w, stem(w)]));

/** Words (stemmed) that say where a temperature is. */
const INDOOR = stemmedSet([
  'inside',
  'insid',
  'in',
  'indoor',
  'here',
  'house',
  'hous',
  'thermostat',
  'upstair',
  'downstair',
  'bedroom',
  'room',
  'apartment',
  'home',
  'adentro',
  'casa',
  'dentro',
  'office',
  'store',
  'building',
]);
const OUTDOOR = stemmedSet([
  'outdoor',
  'outdoors',
  'outside',
  'outsid',
  'out',
  'tonight',
  'overnight',
  'night',
  'nights',
  'today',
  'tomorrow',
  'afuera',
  'noche',
  'weather',
  'forecast',
  'high',
  'low',
  'suppos',
  'index',
  'chill',
  'fuera',
]);
const READING = stemmedSet([
  'in',
  'the',
  'it',
  'its',
  'at',
  'is',
  'say',
  'read',
  'show',
  'reach',
  'hit',
  'down',
  'only',
  'about',
  'around',
  'like',
  'over',
  'under',
  'below',
  'abov',
  'almost',
  'nearly',
  'hace',
  'esta',
  'estamo',
  'a',
  'be',
  'get',
  'gett',
  'to',
]);
/** A number followed by one of these is not a temperature ("5 minutes", "40 gallon", "2 years"). */
const NOT_TEMPERATURE_UNITS = stemmedSet([
  'year',
  'yr',
  'ano',
  'minut',
  'minute',
  'min',
  'hour',
  'hr',
  'dollar',
  'buck',
  'gallon',
  'galon',
  'ton',
  'pm',
  'am',
  'oclock',
  'percent',
  'day',
  'dia',
  'week',
  'month',
  'mes',
  'time',
  'psi',
  'amp',
  'volt',
  'inch',
  'feet',
  'foot',
  'mile',
  'unit',
  'system',
  'kid',
  'people',
  'tenant',
  'apartment',
  'room',
  'floor',
  'toilet',
  'bathroom',
  'visit',
  's',
  'x',
  'th',
  'old',
  'k',
]);
/** Words before an age ("my mother is 88", "she's 91"). */
const PERSON = stemmedSet([
  'mother',
  'mom',
  'mama',
  'dad',
  'father',
  'papa',
  'grandma',
  'grandmoth',
  'grandpa',
  'grandfath',
  'abuela',
  'abuelo',
  'husband',
  'wife',
  'she',
  'he',
  'shes',
  'hes',
  'her',
  'his',
  'parent',
  'tenant',
  'neighbor',
  'lady',
  'man',
  'woman',
  'aunt',
  'uncl',
  'tia',
  'tio',
  'who',
  'son',
  'daughter',
  'madr',
  'padr',
  'esposo',
  'esposa',
  'senor',
  'senora',
  'resident',
  'patient',
]);

/** A number read as an age (and so never as a temperature). */
function isAge(tokens: string[], i: number): boolean {
  const after = tokens.slice(i + 1, i + 3);
  if (['year', 'yr', 'yo', 'ano', 'month', 'mes', 'week'].includes(after[0] ?? '')) return true;
  if (after[0] === 'old') return true;
  const before = tokens.slice(Math.max(0, i - 3), i);
  return before.some((w) => PERSON.has(w));
}

/** "a one year old", "my 2 year old son": a child of two or under (never "a 2 year old furnace"). */
function youngChild(tokens: string[], i: number): boolean {
  const value = SMALL.get(tokens[i] ?? '') ?? Number(tokens[i]);
  if (!(value <= 2) || tokens[i + 1] !== 'year' || tokens[i + 2] !== 'old') return false;
  if (!['a', 'my', 'our', 'got', 'have', 'hav', 'with'].includes(tokens[i - 1] ?? '')) return false;
  const next = tokens[i + 3];
  return next === undefined || CLAUSE_BREAKS.has(next) || CHILD.has(next);
}
const SMALL = new Map([
  ['one', 1],
  ['two', 2],
  ['uno', 1],
  ['dos', 2],
]);
const CHILD = new Set(['son', 'daughter', 'baby', 'kid', 'child', 'boy', 'girl', 'twin', 'grandson', 'granddaughter', 'at', 'in', 'here', 'her']);

/** Someone elderly or an infant, by age ("my mother is 88", "91 year old", "2 month old"). */
export function vulnerableAge(tokens: string[]): number | null {
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (youngChild(tokens, i)) return SMALL.get(t) ?? Number(t);
    if (!/^\d{1,3}$/.test(t) || !isAge(tokens, i)) continue;
    const value = Number(t);
    const infant = ['month', 'mes', 'week'].includes(tokens[i + 1] ?? '') || youngChild(tokens, i);
    if (infant || value >= 65) return value;
  }
  return null;
}

/** Temperatures (°F) the caller gave: "it's 40 degrees inside", "thermostat says 52", "95 in here". */
export function temperatures(tokens: string[]): Array<{ value: number; outdoor: boolean }> {
  const out: Array<{ value: number; outdoor: boolean }> = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (!/^-?\d{1,3}$/.test(t)) continue;
    const value = Number(t);
    if (value < -20 || value > 130) continue;
    const after = tokens.slice(i + 1, i + 5);
    const before = tokens.slice(Math.max(0, i - 4), i);
    // Where: the words right after the number first ("61 inside", "45 out"), else the words before it in its clause.
    const afterClause: string[] = [];
    for (const w of after) {
      if (CLAUSE_BREAKS.has(w) || /^\d/.test(w)) break;
      afterClause.push(w);
    }
    const beforeClause: string[] = [];
    for (const w of [...before].reverse()) {
      if (CLAUSE_BREAKS.has(w) || /^\d/.test(w)) break;
      beforeClause.push(w);
    }
    const unit = ['degre', 'degree', 'grado', 'grad'].includes(after[0] ?? '');
    if (!unit && (NOT_TEMPERATURE_UNITS.has(after[0] ?? '') || isAge(tokens, i))) continue;
    if (beforeClause.includes('ago') || before[before.length - 1] === 'top') continue;
    const afterIndoor = afterClause.some((w) => INDOOR.has(w));
    const afterOutdoor = afterClause.some((w) => OUTDOOR.has(w));
    const located = afterIndoor || afterOutdoor;
    const indoorWord = located ? afterIndoor : beforeClause.slice(0, 4).some((w) => INDOOR.has(w) && w !== 'in');
    const outdoor = located ? afterOutdoor : beforeClause.slice(0, 4).some((w) => OUTDOOR.has(w));
    const itIs = before.slice(-3).some((w) => READING.has(w));
    if (!(unit || indoorWord || outdoor || itIs)) continue;
    if (!unit && !indoorWord && !outdoor && (value < 20 || value > 120)) continue;
    if (!unit && value < 20 && !outdoor) continue;
    out.push({ value, outdoor: outdoor && !indoorWord });
  }
  return out;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

type Hazard = TriageRules['hazards'][number];

/** The sentences of a message (token lists split at "."), and the whole message as one more. */
function sentencesOf(tokens: string[]): string[][] {
  const out: string[][] = [[]];
  for (const t of tokens) {
    if (t === '.') out.push([]);
    else out[out.length - 1]!.push(t);
  }
  return out.filter((s) => s.length);
}

/** The clauses of a sentence (split at "and", "but", "also"...). */
function clausesOf(sentence: string[]): string[][] {
  const out: string[][] = [[]];
  for (const t of sentence) {
    if (CLAUSE_BREAKS.has(t)) out.push([]);
    else out[out.length - 1]!.push(t);
  }
  return out.filter((c) => c.length);
}

/** `@broken` in a hazard's list stands for the rule set's `broken` phrases. */
function expand(list: readonly string[], rules: TriageRules): string[] {
  return list.flatMap((p) => (p === '@broken' ? rules.broken : p === '@vulnerable' ? rules.vulnerable : [p]));
}

/** The phrase by which a hazard (or a condition made of two lists) holds, or null. */
function hazardHit(
  tokens: string[],
  sentences: string[][],
  hazard: Pick<Hazard, 'phrases' | 'with' | 'unless' | 'scope' | 'level'>,
  rules: TriageRules,
): string | null {
  // Most messages hold none of a hazard's phrases: look in the whole message before each sentence.
  if (!matchAll(tokens, hazard.phrases, true).length) return null;
  const scopes = hazard.scope === 'message' ? [tokens] : sentences;
  for (const part of scopes) {
    const hit = matchAll(part, hazard.phrases)[0];
    if (!hit) continue;
    const withs = hazard.with.map((list) => matchAll(part, expand(list, rules))[0]);
    if (withs.some((m) => !m)) continue;
    // An emergency is cancelled only by its own sentence; an urgent condition by anything in the message.
    if (hazard.unless.length && matchAll(hazard.level === 'urgent' ? tokens : part, hazard.unless, true).length) continue;
    return [hit, ...withs].map((m) => m!.phrase.text).join(' + ');
  }
  return null;
}

/** No heat or no cooling: a phrase, or equipment with a `broken` phrase in the same sentence. */
function systemDown(tokens: string[], sentences: string[][], rule: TriageRules['noHeat'] | TriageRules['noCool'], rules: TriageRules): string | null {
  if (!matchAll(tokens, rule.phrases, true).length && !matchAll(tokens, rule.equipment, true).length) return null;
  for (const part of sentences) {
    if (rule.unless.length && matchAll(part, rule.unless, true).length) {
      // Per clause: "a quote on a water heater and also the heat's out" still has no heat.
      const clause = clausesOf(part).find((c) => !matchAll(c, rule.unless, true).length && matchAll(c, rule.phrases).length);
      if (clause) return matchAll(clause, rule.phrases)[0]!.phrase.text;
      continue;
    }
    const phrase = matchAll(part, rule.phrases)[0];
    if (phrase) return phrase.phrase.text;
    const paired = hazardHit(part, [part], { phrases: rule.equipment, with: [rules.broken], unless: [], scope: 'sentence', level: 'urgent' }, rules);
    if (paired) return paired;
  }
  return null;
}

interface Decision {
  reason: string;
  jobTypeId?: string;
  trade?: string;
}

/** Classifies one request. `jobTypeIds`, when given, limits job types to those the tenant has. */
export function classify(input: unknown, rules: TriageRules, jobTypeIds?: readonly string[]): TriageAnswer {
  const text = typeof input === 'string' ? input : '';
  const tokens = words(text).map((w) => (w === '.' ? w : stem(w)));
  const sentences = sentencesOf(tokens);
  const reasons: string[] = [];
  const known = (id: string | undefined) => Boolean(id) && (!jobTypeIds || jobTypeIds.includes(id!));

  // Job-type scores.
  const jobScores = rules.jobTypes
    .filter((j) => known(j.jobTypeId))
    .map((j) => ({ rule: j, matches: dedupe(matchAll(tokens, j.phrases)) }))
    .map((s) => ({ ...s, score: score(s.matches) }))
    .sort((a, b) => b.score - a.score);

  // Emergencies: any clause may hold one (the most urgent clause decides): rule phrases, hazards, temperatures.
  let emergency: Decision | null = null;
  for (const rule of rules.emergencies) {
    const m = matchAll(tokens, rule.phrases)[0];
    if (m) {
      emergency = { reason: rule.reason, jobTypeId: rule.jobTypeId, trade: rule.trade };
      reasons.push(`${rule.reason}: "${m.phrase.text}"`);
      break;
    }
  }
  const urgentHits: Decision[] = [];
  for (const hazard of rules.hazards) {
    if (emergency && hazard.level === 'emergency') continue;
    const hit = hazardHit(tokens, sentences, hazard, rules);
    if (!hit) continue;
    const decision = { reason: hazard.reason, jobTypeId: hazard.jobTypeId, trade: hazard.trade };
    if (hazard.level === 'emergency') {
      emergency = decision;
      reasons.push(`${hazard.reason}: "${hit}"`);
    } else urgentHits.push({ ...decision, reason: `${hazard.reason}: "${hit}"` });
  }
  const temps = temperatures(tokens);
  const vulnerablePhrase = matchAll(tokens, rules.vulnerable)[0];
  const age = vulnerableAge(tokens);
  const vulnerable = vulnerablePhrase ? `"${vulnerablePhrase.phrase.text}"` : age !== null ? `age ${age}` : null;
  const noHeat = systemDown(tokens, sentences, rules.noHeat, rules);
  const noCool = noHeat ? null : systemDown(tokens, sentences, rules.noCool, rules);
  if (noHeat) {
    const { belowF, outdoorBelowF, vulnerableBelowF, vulnerableOutdoorBelowF } = rules.noHeat;
    const cold = temps.find((t) => (t.outdoor ? t.value <= outdoorBelowF : t.value <= belowF));
    const severe = matchAll(tokens, rules.noHeat.emergencyWith)[0];
    // With someone vulnerable at home, no heat is an emergency unless the caller gives a mild temperature.
    const mild = temps.length > 0 && !temps.some((t) => (t.outdoor ? t.value <= vulnerableOutdoorBelowF : t.value <= vulnerableBelowF));
    const decision = { reason: 'no heat', jobTypeId: rules.noHeat.jobTypeId, trade: 'hvac' };
    if (cold) {
      reasons.push(`no heat: "${noHeat}" at ${cold.value}°F ${cold.outdoor ? 'outside' : 'inside'} (at or below ${cold.outdoor ? outdoorBelowF : belowF}°F)`);
      emergency ??= decision;
    } else if (severe) {
      reasons.push(`no heat: "${noHeat}" with "${severe.phrase.text}"`);
      emergency ??= decision;
    } else if (vulnerable && !mild) {
      reasons.push(`no heat: "${noHeat}" with someone vulnerable at home (${vulnerable})`);
      emergency ??= decision;
    } else urgentHits.push({ ...decision, reason: `no heat: "${noHeat}"` });
  }
  if (noCool) {
    const { aboveF, vulnerableAboveF, vulnerableOutdoorAboveF } = rules.noCool;
    const hot = temps.find((t) => !t.outdoor && t.value >= aboveF);
    const mild = temps.length > 0 && !temps.some((t) => (t.outdoor ? t.value >= vulnerableOutdoorAboveF : t.value >= vulnerableAboveF));
    const decision = { reason: 'no cooling', jobTypeId: rules.noCool.jobTypeId, trade: 'hvac' };
    if (hot) {
      reasons.push(`no cooling: "${noCool}" at ${hot.value}°F inside (at or above ${aboveF}°F)`);
      emergency ??= decision;
    } else if (vulnerable && !mild) {
      reasons.push(`no cooling: "${noCool}" with someone vulnerable at home (${vulnerable})`);
      emergency ??= decision;
    } else urgentHits.push({ ...decision, reason: `no cooling: "${noCool}"` });
  }
  const urgentMatch = matchAll(tokens, rules.urgent)[0];
  const urgentCondition = urgentHits[0]?.reason ?? (urgentMatch ? `urgent: "${urgentMatch.phrase.text}"` : null);

  // Intents other than service.
  // A word inside a longer job-type phrase ("bill" in "water bill") is not an intent.
  const jobMatches = jobScores.flatMap((s) => s.matches);
  const outsideJobs = (matches: Match[]) =>
    dedupe(matches).filter((m) => !jobMatches.some((o) => o.start <= m.start && o.end >= m.end && o.end - o.start > m.end - m.start));
  const intentMatches = {
    billing: outsideJobs(matchAll(tokens, rules.intents.billing)),
    membership: outsideJobs(matchAll(tokens, rules.intents.membership)),
    quote_request: outsideJobs(matchAll(tokens, rules.intents.quote_request)),
  };
  const otherMatches = dedupe(matchAll(tokens, rules.intents.other));
  const notCustomer = dedupe(matchAll(tokens, rules.intents.notCustomer));
  const firm = (matches: Match[]) => matches.some((m) => m.phrase.weight >= 4);
  // A price alone is a quote only when the message is not about the plan or an invoice.
  const priceOnly = intentMatches.quote_request.every((m) => rules.priceWords.includes(m.phrase.text));
  if (priceOnly && Math.max(score(intentMatches.membership), score(intentMatches.billing)) >= 3) intentMatches.quote_request = [];
  // Ties go to billing, then membership, then quotes (the sort is stable).
  const intentScores = (Object.keys(intentMatches) as Array<keyof typeof intentMatches>)
    .map((intent) => ({ intent, score: score(intentMatches[intent]), matches: intentMatches[intent] }))
    .sort((a, b) => b.score - a.score);
  const problem = matchAll(tokens, rules.problem)[0];

  // Job type and confidence.
  const top = jobScores[0];
  const second = jobScores[1];
  let jobType: TriageAnswer['jobType'] = null;
  if (top && top.score > 0) {
    const share = top.score / (top.score + (second?.score ?? 0));
    const strength = Math.min(1, top.score / 3);
    jobType = { jobTypeId: top.rule.jobTypeId, confidence: round2(share * strength) };
  }
  // No heat / no cooling name their job type unless the text points clearly elsewhere.
  const systemJob = noHeat ? rules.noHeat.jobTypeId : noCool ? rules.noCool.jobTypeId : undefined;
  const decidingJob = emergency?.jobTypeId ?? (emergency ? undefined : (systemJob ?? urgentHits.find((h) => h.jobTypeId)?.jobTypeId));
  const decidingTrade = emergency?.trade ?? rules.jobTypes.find((j) => j.jobTypeId === decidingJob)?.trade;
  if (decidingJob && known(decidingJob)) {
    const hit = jobScores.find((s) => s.rule.jobTypeId === decidingJob);
    // A decision names its job type unless the text clearly points at another of the same trade.
    if (!jobType || jobType.jobTypeId !== decidingJob) {
      const topRule = top?.rule;
      const keepTop =
        jobType &&
        topRule &&
        topRule.trade === decidingTrade &&
        jobType.confidence >= 0.6 &&
        (hit?.score ?? 0) < top!.score / 2 &&
        !(systemJob && topRule.trade === 'hvac');
      if (!keepTop) jobType = { jobTypeId: decidingJob, confidence: Math.max(0.8, jobType?.confidence ?? 0) };
    }
  }

  // Trade.
  let trade: string | null = null;
  if (emergency?.trade && (!jobType || jobType.confidence < 0.5)) trade = emergency.trade;
  else if (jobType) trade = rules.jobTypes.find((j) => j.jobTypeId === jobType!.jobTypeId)?.trade ?? null;
  if (!trade) {
    const tradeScores = Object.entries(rules.trades)
      .map(([name, list]) => ({ name, score: score(matchAll(tokens, list)) }))
      .sort((a, b) => b.score - a.score);
    if (tradeScores[0] && tradeScores[0].score > 0 && tradeScores[0].score > (tradeScores[1]?.score ?? 0)) trade = tradeScores[0].name;
  }

  // Intent: the most urgent request decides; among the rest, service > quote > membership > billing > other.
  // "Firm" phrases (weight 4 or more) hold against weaker evidence of another intent.
  let intent: Intent;
  const service = top?.score ?? 0;
  const bestOther = intentScores[0]!;
  const booking = matchAll(tokens, rules.booking)[0];
  const quote = intentScores.find((s) => s.intent === 'quote_request')!;
  const maintenance = top?.rule.jobTypeId === 'hvac-maintenance';
  if (emergency) intent = 'emergency';
  else if (firm(notCustomer)) intent = 'other';
  else if (urgentCondition && (service > 0 || urgentHits.length > 0)) intent = 'routine_service';
  else if (firm(intentMatches.billing)) intent = 'billing';
  else if (firm(quote.matches)) intent = 'quote_request';
  else if (problem && service > 0) intent = 'routine_service';
  else if (firm(otherMatches)) intent = 'other';
  else if (booking && service > 0 && (priceOnly || maintenance || quote.score === 0)) intent = 'routine_service';
  else if (quote.score >= 2 && service > 0 && !maintenance && quote.score >= bestOther.score) intent = 'quote_request';
  else if (bestOther.score > 0 && bestOther.score >= service) intent = bestOther.intent;
  // A clear billing, membership or quote question beats service words unless something is broken now.
  else if (bestOther.score >= 3) intent = bestOther.intent;
  else if (service > 0) intent = 'routine_service';
  else intent = 'other';
  const otherReasons = [...notCustomer, ...otherMatches];
  if (intent === 'other' && otherReasons.length) reasons.push(`other: ${otherReasons.map((m) => `"${m.phrase.text}"`).join(', ')}`);
  if (intent !== 'emergency' && intent !== 'routine_service' && intent !== 'other') {
    const matches = intentMatches[intent];
    reasons.push(`${intent.replace('_', ' ')}: ${matches.map((m) => `"${m.phrase.text}"`).join(', ')}`);
  }
  if (jobType && top && top.rule.jobTypeId === jobType.jobTypeId && top.matches.length) {
    reasons.push(`${jobType.jobTypeId}: ${top.matches.map((m) => `"${m.phrase.text}"`).join(', ')}`);
  }

  // Urgency: what is broken decides, not how the caller says it ("asap", "no rush").
  let urgency: Urgency = 'routine';
  if (intent === 'emergency') urgency = 'emergency';
  else if (intent === 'routine_service' && urgentCondition) {
    urgency = 'urgent';
    reasons.push(urgentCondition);
  } else {
    const calm = matchAll(tokens, rules.calm)[0];
    if (calm) reasons.push(`calm: "${calm.phrase.text}"`);
  }

  // Route.
  let route: Route;
  const confident = jobType !== null && jobType.confidence >= rules.minConfidence;
  switch (intent) {
    case 'emergency':
      route = 'emergency_path';
      break;
    case 'routine_service':
      route = confident ? 'book_now' : 'human';
      break;
    case 'quote_request':
      route = 'estimate_visit';
      break;
    case 'membership':
      route = 'membership_desk';
      break;
    case 'billing':
      route = 'billing';
      break;
    default:
      route = 'human';
  }
  if (route === 'human')
    reasons.push(jobType ? `low confidence (${jobType.confidence} < ${rules.minConfidence}): a person decides` : 'nothing recognised: a person decides');
  return { intent, trade, urgency, jobType, reasons, route, ...(temps.length ? { temperatures: temps } : {}) };
}
