/**
 * Triage rules: the phrases that decide what an inbound request is. Tenant-configurable (the
 * `triage` field of the tenant config); this module holds the schema and a default rule set for a
 * plumbing + HVAC company (the demo's job types). Pure: no I/O.
 *
 * A phrase is matched on stemmed words, in order, with at most two filler words between its words
 * ("water heater is leaking" matches "water heater leak"). A phrase preceded by a negation in the
 * same clause ("no leak", "don't smell gas") does not count. Phrases weigh their word count (at most
 * 3) unless written `phrase^weight`.
 */
import { z } from 'zod';
import { boundedRecord, withinBytes } from '../shared/bounds';

const phrases = z.array(z.string().min(1).max(100)).max(500);
const id = z.string().min(1).max(64);

/** A whole rule set is at most 40 KB (the default is ~9 KB): it is stored in the tenant's configuration item. */
export const TriageRulesSchema = withinBytes(z.object({
  /** Phrases per job type; the job type's trade is the answer's trade. */
  jobTypes: z
    .array(z.object({ jobTypeId: id, trade: id, phrases }))
    .max(200),
  /** Phrases that name a trade without naming a job type. */
  trades: boundedRecord(id, phrases, 50),
  /** Phrases that make a request an emergency whatever else it says, with the reason shown. */
  emergencies: z
    .array(z.object({ reason: z.string().min(1).max(100), phrases, jobTypeId: id.optional(), trade: id.optional() }))
    .max(50),
  /** No heat: an emergency when a temperature below `belowF` is given (indoors), or below `outdoorBelowF` outdoors. */
  noHeat: z.object({
    phrases,
    belowF: z.number().default(55),
    outdoorBelowF: z.number().default(32),
    /** No heat with one of these ("freezing") is an emergency without a temperature. */
    emergencyWith: phrases.default([]),
    jobTypeId: id.optional(),
  }),
  /** No cooling: an emergency when the inside temperature is at or above `aboveF`. */
  noCool: z.object({ phrases, aboveF: z.number().default(90), jobTypeId: id.optional() }),
  /** Non-service intents. */
  intents: z.object({ quote_request: phrases, membership: phrases, billing: phrases }),
  /** Phrases that make a service request urgent (same or next day). */
  urgent: phrases,
  /** Phrases by which the caller says it is not an emergency. */
  calm: phrases,
  /** Below this job-type confidence the request goes to a person. */
  minConfidence: z.number().min(0).max(1).default(0.5),
}), 40_000);
export type TriageRules = z.infer<typeof TriageRulesSchema>;

export const DEFAULT_TRIAGE_RULES: TriageRules = {
  jobTypes: [
    {
      jobTypeId: 'plumbing-drain-clog',
      trade: 'plumbing',
      phrases: [
        'clog^3', 'clogged^3', 'drain^2', 'backed up', 'backing up', 'back up', 'slow drain^3', 'draining slow^3', 'drains slow^3',
        'wont drain^3', 'not draining^3', 'doesnt drain^3', 'standing water', 'stopped up^3', 'plugged', 'blocked^2', 'blockage^2',
        'snake^2', 'hydro jet^3', 'hydrojet^3', 'rooter^2', 'toilet^1', 'sink^1', 'tub^1', 'shower^1', 'garbage disposal^2',
        'disposal^2', 'main line^2', 'sewer line^2', 'gurgling^2', 'gurgle^2', 'overflowing^1', 'grease^1', 'hair^1', 'roots^2',
        'camera inspection^2', 'sewer camera^3', 'flush^1', 'wont go down^3', 'not going down^3',
      ],
    },
    {
      jobTypeId: 'plumbing-water-heater-repair',
      trade: 'plumbing',
      phrases: [
        'water heater^3', 'hot water heater^3', 'waterheater^3', 'hot water tank^3', 'no hot water^4', 'not getting hot water^4',
        'hot water^2', 'tankless^3', 'pilot light^2', 'relief valve^3', 't p valve^3', 'tank^1', 'lukewarm^3', 'heating water^3', 'gallon^2',
        'water is cold^2', 'cold showers^3', 'cold shower^3', 'runs out of hot^3', 'heater^1', 'anode rod^3', 'rheem^2', 'ao smith^2',
        'rusty water^2', 'rinnai^2', 'navien^2', 'bradford white^3',
      ],
    },
    {
      jobTypeId: 'plumbing-leak-repair',
      trade: 'plumbing',
      phrases: [
        'leak^2', 'leaky^2', 'leaking^2', 'drip^2', 'dripping^2', 'drips^2', 'faucet^2', 'spigot^2', 'hose bib^3', 'running toilet^3',
        'toilet keeps running^3', 'toilet runs^3', 'water stain^3', 'wet spot^3', 'water on the floor^1', 'damp^1', 'puddle^2', 'moisture^1', 'water bill^3',
        'slab leak^3', 'pipe^1', 'under the sink^1', 'shutoff valve^2', 'shut off valve^2', 'valve^1', 'seeping^2', 'wax ring^3',
        'supply line^2', 'pinhole^2', 'water meter^2', 'sweating pipe^2', 'condensation^1',
      ],
    },
    {
      jobTypeId: 'hvac-ac-repair',
      trade: 'hvac',
      phrases: [
        'ac^2', 'air conditioner^3', 'air conditioning^3', 'a c^2', 'not cooling^3', 'wont cool^3', 'doesnt cool^3', 'no cold air^3',
        'blowing warm^3', 'blowing hot^3', 'warm air^2', 'hot air^1', 'compressor^2', 'condenser^2', 'outside unit^2', 'freon^3',
        'refrigerant^3', 'frozen coil^3', 'coils frozen^3', 'ice on^2', 'iced up^3', 'frozen up^2', 'capacitor^2', 'central air^3',
        'cooling^2', 'thermostat^1', 'mini split^3', 'minisplit^3', 'heat pump^1', 'upstairs is hot^3', 'house is hot^2',
        'condensate^4', 'drain pan^4', 'ac drain^4', 'air handler^3', 'cool^1', 'cold air^1', 'hvac^1', 'short cycling^1', 'humid^1',
      ],
    },
    {
      jobTypeId: 'hvac-furnace-repair',
      trade: 'hvac',
      phrases: [
        'furnace^2', 'furnace noise^3', 'furnace making^3', 'furnace keeps^3', 'short cycling^2', 'ignitor^3', 'igniter^3',
        'flame sensor^3', 'blower motor^2', 'blower^1', 'burner^2', 'heat exchanger^3', 'heater^1', 'limit switch^3', 'inducer^3',
        'furnace filter^2', 'squealing^1', 'banging^1', 'rattling^1', 'furnace error^3', 'error code^2', 'flashing light^2',
        'heating^1', 'heat pump^2', 'emergency heat^2', 'aux heat^3',
      ],
    },
    {
      jobTypeId: 'hvac-maintenance',
      trade: 'hvac',
      phrases: [
        'tune up^4', 'tuneup^4', 'maintenance^3', 'checkup^3', 'check up^3', 'inspection^1', 'seasonal^2', 'service my^1', 'clean^1',
        'cleaning^1', 'filter change^2', 'change filter^2', 'yearly^2', 'annual^2', 'spring^1', 'fall^1', 'before summer^3',
        'before winter^3', 'precision tune^3', 'maintenance visit^4', 'twice a year^2', 'coil cleaning^3', 'get ready for^2',
        'routine service^3', 'clean coils^3', 'looked at^1', 'safety check^2', 'preventive^3', 'preventative^3',
      ],
    },
    {
      jobTypeId: 'plumbing-burst-pipe',
      trade: 'plumbing',
      phrases: [
        'burst^4', 'bursted^4', 'busted pipe^4', 'pipe broke^4', 'broken pipe^4', 'pipe split^4', 'water everywhere^4', 'flooding^4',
        'flooded^4', 'gushing^4', 'spraying^4', 'pouring^3', 'water pouring^4', 'cant shut off^3', 'cant turn off^3',
        'wont shut off^3', 'coming through the ceiling^4', 'ceiling is leaking^4', 'ceiling leaking^4', 'frozen pipe^4',
        'pipes froze^4', 'pipe froze^4', 'frozen pipes^4', 'water main^2', 'main break^3', 'shut off the water^2', 'turned off the water^3',
        'shut the water off^3', 'running all over^3', 'standing in water^3', 'inches of water^4',
      ],
    },
    {
      jobTypeId: 'hvac-no-heat',
      trade: 'hvac',
      phrases: [
        'no heat^4', 'not heating^4', 'wont heat^4', 'doesnt heat^4', 'no heating^4', 'heat not working^4', 'heat isnt working^4',
        'heat is out^4', 'heat went out^4', 'heat stopped^4', 'heats not working^4', 'heater not working^3', 'heater stopped^3',
        'heater is out^3', 'heater quit^3', 'blowing cold^3', 'cold air^1', 'freezing^2', 'furnace not working^3', 'furnace stopped^3',
        'furnace died^3', 'furnace quit^3', 'furnace wont turn on^3', 'furnace is out^3', 'furnace out^3', 'no warm air^4', 'heat quit^4',
        'heat wont come on^4', 'heat wont turn on^4', 'heat died^4', 'cold house^2', 'house is cold^3', 'so cold^2',
      ],
    },
  ],
  trades: {
    plumbing: ['plumber', 'plumbing', 'pipe', 'water', 'toilet', 'sink', 'faucet', 'drain', 'sewer', 'shower', 'tub', 'water heater'],
    hvac: ['hvac', 'ac', 'a c', 'air conditioner', 'air conditioning', 'furnace', 'heater', 'heat', 'thermostat', 'heat pump', 'duct', 'vents', 'cooling', 'heating'],
  },
  emergencies: [
    {
      reason: 'gas smell',
      phrases: ['smell gas', 'smells like gas', 'smelling gas', 'gas smell', 'gas leak', 'leaking gas', 'gas odor', 'rotten eggs', 'rotten egg', 'smell of gas', 'hissing from the gas', 'gas line broke', 'gas meter hissing'],
      trade: 'plumbing',
    },
    {
      reason: 'carbon monoxide',
      phrases: ['carbon monoxide', 'co alarm', 'co detector', 'co2 alarm', 'monoxide'],
      trade: 'hvac',
      jobTypeId: 'hvac-furnace-repair',
    },
    {
      reason: 'active leak',
      phrases: [
        'burst pipe', 'pipe burst', 'burst', 'pipe broke', 'broken pipe', 'busted pipe', 'pipe split', 'water everywhere', 'flooding', 'flooded',
        'gushing', 'spraying water', 'water spraying', 'water pouring', 'pouring water', 'pouring out', 'pouring from', 'pouring through', 'cant shut off the water',
        'cant turn off the water', 'water wont shut off', 'water wont turn off', 'coming through the ceiling', 'ceiling is leaking',
        'ceiling leaking', 'leaking through the ceiling', 'frozen pipe', 'frozen pipes', 'pipes froze', 'pipe froze', 'inches of water',
        'standing in water', 'water main break', 'main broke', 'active leak', 'leaking fast', 'leaking bad', 'leaking badly', 'pouring',
      ],
      trade: 'plumbing',
      jobTypeId: 'plumbing-burst-pipe',
    },
    {
      reason: 'electrical hazard',
      phrases: ['sparking', 'sparks', 'spark', 'sparked', 'burning smell', 'smells like burning', 'smell burning', 'electrical fire', 'smoke', 'smoking', 'melted wire', 'melting', 'on fire', 'fire', 'arcing', 'electrical burning'],
    },
    {
      reason: 'sewage backup',
      phrases: ['sewage backup', 'sewage backing up', 'sewage coming up', 'raw sewage', 'sewage', 'sewer backing up', 'sewer backed up', 'sewer backup', 'poop water', 'sewage in', 'toilet water coming up in the tub'],
      trade: 'plumbing',
      jobTypeId: 'plumbing-drain-clog',
    },
  ],
  noHeat: {
    phrases: ['no heat', 'not heating', 'wont heat', 'doesnt heat', 'no heating', 'heat not working', 'heat isnt working', 'heat is out', 'heat went out', 'heat stopped', 'heat quit', 'heater not working', 'heater stopped', 'heater quit', 'heater is out', 'blowing cold', 'furnace not working', 'furnace stopped', 'furnace died', 'furnace quit', 'furnace wont turn on', 'furnace is out', 'furnace out', 'no warm air', 'heat wont come on', 'heat wont turn on', 'heat died', 'heats not working'],
    belowF: 55,
    outdoorBelowF: 32,
    emergencyWith: ['freezing', 'below freezing', 'pipes might freeze', 'pipes will freeze', 'ice inside'],
    jobTypeId: 'hvac-no-heat',
  },
  noCool: {
    phrases: ['not cooling', 'wont cool', 'doesnt cool', 'no cold air', 'no ac', 'ac is out', 'ac out', 'ac went out', 'ac stopped', 'ac quit', 'ac died', 'ac not working', 'ac isnt working', 'ac is not working', 'ac broke', 'blowing warm', 'blowing hot', 'no air conditioning', 'air conditioner not working', 'air conditioner stopped', 'air conditioner died', 'no cooling'],
    aboveF: 90,
    jobTypeId: 'hvac-ac-repair',
  },
  intents: {
    quote_request: [
      'quote^3', 'estimate^3', 'how much^3', 'price^2', 'pricing^3', 'cost^2', 'replace^2', 'replacing^2', 'replacement^3', 'new water heater^3',
      'new unit^3', 'new system^3', 'new ac^3', 'new furnace^3', 'install^2', 'installation^3', 'installed^1', 'upgrade^2', 'bid^2', 'ballpark^3',
      'repipe^3', 'repiping^3', 'financing^3', 'tankless^1', 'second opinion^2', 'remodel^3', 'add a^1', 'convert^2', 'options for^2',
    ],
    membership: [
      'membership^3', 'comfort club^1', 'maintenance plan^3', 'service plan^3', 'service agreement^3', 'maintenance agreement^3', 'sign up^1',
      'join^2', 'renew^2', 'renewal^3', 'auto renew^3', 'member benefits^3', 'members^1', 'member^1', 'plan^1', 'club^1', 'cancel my^1',
    ],
    billing: [
      'bill^3', 'billed^3', 'billing^3', 'invoice^3', 'charged^3', 'charge on my^3', 'charge^2', 'payment^3', 'pay^2', 'paid^2', 'refund^3',
      'receipt^3', 'overcharged^3', 'card on file^3', 'credit card^2', 'statement^2', 'balance^2', 'past due^3', 'late fee^3',
      'double charged^3', 'autopay^3', 'warranty claim^1',
    ],
  },
  urgent: [
    'asap', 'as soon as possible', 'today', 'right away', 'right now', 'urgent', 'urgently', 'emergency', 'tonight', 'immediately',
    'no hot water', 'no heat', 'not heating', 'not cooling', 'no ac', 'ac is out', 'ac out', 'ac not working', 'ac went out', 'ac died', 'ac stopped',
    'only toilet', 'only bathroom', 'overflowing', 'backed up', 'backing up', 'wont cool', 'blowing warm', 'blowing hot', 'elderly', 'newborn',
    'baby', 'pregnant', 'disabled', 'sewer', 'no water', 'this morning', 'soon as you can', 'quickly', 'hurry', 'no cold air', 'leaking',
    'dripping through', 'stopped working', 'wont turn on', 'died', 'freezing', 'house is hot', 'too hot', 'so hot',
  ],
  calm: [
    'not an emergency', 'no emergency', 'not urgent', 'no rush', 'whenever', 'not in a hurry', 'next week', 'sometime', 'when you can',
    'no hurry', 'isnt urgent', 'not a big deal', 'not super urgent', 'not pressing', 'at your convenience',
  ],
  minConfidence: 0.5,
};
