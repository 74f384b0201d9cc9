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
]);
const CLAUSE_BREAKS = new Set(['.', 'and', 'but', 'also', 'though', 'however', 'plus', 'plu', 'so', 'then']);
/** "the CO detector is fine": a phrase followed by one of these in its clause does not count. */
const ALL_CLEAR = new Set(['fine', 'fin', 'ok', 'okay', 'normal']);
const NUMBER_WORDS = new Map<string, number>(Object.entries({ forty: 40, fifty: 50, sixty: 60, thirty: 30, ninety: 90, eighty: 80, hundred: 100 }));

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
    .toLowerCase()
    .replace(/[’‘`´]/g, "'")
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
  return out;
}

interface Phrase {
  text: string;
  stems: string[];
  weight: number;
  negatable: boolean;
}

const phraseCache = new Map<string, Phrase>();
function compilePhrase(spec: string): Phrase {
  const cached = phraseCache.get(spec);
  if (cached) return cached;
  const [text, weightText] = spec.split('^');
  const stems = words(text ?? '')
    .filter((w) => w !== '.')
    .map(stem);
  const weight = weightText && Number.isFinite(Number(weightText)) ? Number(weightText) : Math.min(3, stems.length);
  const phrase = { text: (text ?? '').trim(), stems, weight, negatable: !NEGATORS.has(words(text ?? '')[0] ?? '') };
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
function findPhrase(tokens: string[], phrase: Phrase): Match | null {
  const { stems } = phrase;
  if (!stems.length) return null;
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i] !== stems[0]) continue;
    let pos = i;
    let ok = true;
    for (let k = 1; k < stems.length && ok; k++) {
      ok = false;
      for (let j = pos + 1; j <= pos + 1 + MAX_GAP && j < tokens.length; j++) {
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

function matchAll(tokens: string[], specs: readonly string[]): Match[] {
  const out: Match[] = [];
  for (const spec of specs) {
    const m = findPhrase(tokens, compilePhrase(spec));
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

/** Temperatures (°F) the caller gave: "it's 40 degrees inside", "thermostat says 52", "95 in here". */
export function temperatures(tokens: string[]): Array<{ value: number; outdoor: boolean }> {
  const out: Array<{ value: number; outdoor: boolean }> = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const value = /^\d{1,3}$/.test(t) ? Number(t) : NUMBER_WORDS.get(t);
    if (value === undefined || value < -20 || value > 130) continue;
    const after = tokens.slice(i + 1, i + 5);
    const before = tokens.slice(Math.max(0, i - 4), i);
    const unit = after[0] === 'degre' || after[0] === 'degree';
    const indoorWord =
      after.some((w) => ['inside', 'insid', 'in', 'indoor', 'here'].includes(w)) ||
      before.some((w) => ['thermostat', 'inside', 'insid', 'house', 'hous', 'indoor'].includes(w));
    const outdoor =
      after.some((w) => ['outside', 'outsid', 'out', 'tonight', 'overnight'].includes(w)) ||
      before.some((w) => ['outside', 'outsid', 'high', 'low', 'forecast'].includes(w));
    const itIs = before.slice(-2).some((w) => ['it', 'its', 'at', 'is', 'say', 'read', 'show', 'reach', 'hit', 'down', 'only', 'about'].includes(w));
    if (!(unit || indoorWord || outdoor || itIs)) continue;
    if (!unit && !indoorWord && !outdoor && (value < 20 || value > 120)) continue;
    if (before.includes('ago') || after[0] === 'year' || after[0] === 'yr' || after[0] === 'minut' || after[0] === 'hour' || after[0] === 'dollar') continue;
    out.push({ value, outdoor: outdoor && !indoorWord });
  }
  return out;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/** Classifies one request. `jobTypeIds`, when given, limits job types to those the tenant has. */
export function classify(input: unknown, rules: TriageRules, jobTypeIds?: readonly string[]): TriageAnswer {
  const text = typeof input === 'string' ? input : '';
  const tokens = words(text).map((w) => (w === '.' ? w : stem(w)));
  const reasons: string[] = [];
  const known = (id: string | undefined) => Boolean(id) && (!jobTypeIds || jobTypeIds.includes(id!));

  // Job-type scores.
  const jobScores = rules.jobTypes
    .filter((j) => known(j.jobTypeId))
    .map((j) => ({ rule: j, matches: dedupe(matchAll(tokens, j.phrases)) }))
    .map((s) => ({ ...s, score: score(s.matches) }))
    .sort((a, b) => b.score - a.score);

  // Emergencies: rule phrases, then temperatures.
  let emergency: { reason: string; jobTypeId?: string; trade?: string } | null = null;
  for (const rule of rules.emergencies) {
    const m = matchAll(tokens, rule.phrases)[0];
    if (m) {
      emergency = { reason: rule.reason, jobTypeId: rule.jobTypeId, trade: rule.trade };
      reasons.push(`${rule.reason}: "${m.phrase.text}"`);
      break;
    }
  }
  const temps = temperatures(tokens);
  const noHeat = matchAll(tokens, rules.noHeat.phrases)[0];
  const noCool = matchAll(tokens, rules.noCool.phrases)[0];
  if (!emergency && noHeat) {
    const cold = temps.find((t) => (t.outdoor ? t.value < rules.noHeat.outdoorBelowF : t.value < rules.noHeat.belowF));
    const severe = matchAll(tokens, rules.noHeat.emergencyWith)[0];
    if (!cold && severe) {
      emergency = { reason: 'no heat', jobTypeId: rules.noHeat.jobTypeId, trade: 'hvac' };
      reasons.push(`no heat: "${noHeat.phrase.text}" with "${severe.phrase.text}"`);
    }
    if (cold) {
      emergency = { reason: 'no heat', jobTypeId: rules.noHeat.jobTypeId, trade: 'hvac' };
      reasons.push(
        `no heat: "${noHeat.phrase.text}" at ${cold.value}°F ${cold.outdoor ? 'outside' : 'inside'} (below ${cold.outdoor ? rules.noHeat.outdoorBelowF : rules.noHeat.belowF}°F)`,
      );
    }
  }
  if (!emergency && noCool) {
    const hot = temps.find((t) => !t.outdoor && t.value >= rules.noCool.aboveF);
    if (hot) {
      emergency = { reason: 'no cooling', jobTypeId: rules.noCool.jobTypeId, trade: 'hvac' };
      reasons.push(`no cooling: "${noCool.phrase.text}" at ${hot.value}°F inside (at or above ${rules.noCool.aboveF}°F)`);
    }
  }

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
  // Ties go to billing, then membership, then quotes (the sort is stable).
  const intentScores = (Object.keys(intentMatches) as Array<keyof typeof intentMatches>)
    .map((intent) => ({ intent, score: score(intentMatches[intent]), matches: intentMatches[intent] }))
    .sort((a, b) => b.score - a.score);
  const urgentMatch = matchAll(tokens, rules.urgent)[0];

  // Job type and confidence.
  const top = jobScores[0];
  const second = jobScores[1];
  let jobType: TriageAnswer['jobType'] = null;
  if (top && top.score > 0) {
    const share = top.score / (top.score + (second?.score ?? 0));
    const strength = Math.min(1, top.score / 3);
    jobType = { jobTypeId: top.rule.jobTypeId, confidence: round2(share * strength) };
  }
  if (emergency?.jobTypeId && known(emergency.jobTypeId)) {
    const hit = jobScores.find((s) => s.rule.jobTypeId === emergency!.jobTypeId);
    // An emergency names its job type unless the text clearly points at another of the same trade.
    if (!jobType || jobType.jobTypeId !== emergency.jobTypeId) {
      const topRule = top?.rule;
      const keepTop = jobType && topRule && topRule.trade === emergency.trade && jobType.confidence >= 0.6 && (hit?.score ?? 0) < top!.score / 2;
      if (!keepTop) jobType = { jobTypeId: emergency.jobTypeId, confidence: Math.max(0.8, jobType?.confidence ?? 0) };
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

  // Intent.
  let intent: Intent;
  const service = top?.score ?? 0;
  const bestOther = intentScores[0]!;
  if (emergency) intent = 'emergency';
  else if (bestOther.score > 0 && bestOther.score >= service) intent = bestOther.intent;
  // A clear billing, membership or quote question beats service words unless something is broken now.
  else if (bestOther.score >= 3 && !urgentMatch) intent = bestOther.intent;
  else if (service > 0) intent = 'routine_service';
  else intent = 'other';
  if (intent !== 'emergency' && intent !== 'routine_service' && intent !== 'other') {
    const matches = intentMatches[intent];
    reasons.push(`${intent.replace('_', ' ')}: ${matches.map((m) => `"${m.phrase.text}"`).join(', ')}`);
  }
  if (jobType && top && top.rule.jobTypeId === jobType.jobTypeId && top.matches.length) {
    reasons.push(`${jobType.jobTypeId}: ${top.matches.map((m) => `"${m.phrase.text}"`).join(', ')}`);
  }

  // Urgency.
  let urgency: Urgency = 'routine';
  if (intent === 'emergency') urgency = 'emergency';
  else {
    const urgent = urgentMatch;
    const calm = matchAll(tokens, rules.calm)[0];
    if (urgent && !calm && (intent === 'routine_service' || intent === 'other')) {
      urgency = 'urgent';
      reasons.push(`urgent: "${urgent.phrase.text}"`);
    } else if (calm) reasons.push(`calm: "${calm.phrase.text}"`);
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
