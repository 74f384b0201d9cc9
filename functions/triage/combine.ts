/**
 * The rules are the default classifier and the safety floor; a model (optional, per tenant) may
 * stand behind them. Its answer is validated by the same schema as the rules' answer, and it can
 * only make a request more urgent, never less: the final urgency is the more urgent of the two, and
 * any disagreement is written into the reasons. Pure: both answers in, one answer out.
 */
import * as z from '../shared/zod';
import { INTENTS, type TriageAnswer, URGENCIES, type Urgency } from './classify';

/** What a model answers: the same enums as the rules' answer (a model answer that fails this is ignored). */
export const ModelVerdictSchema = z.object({
  intent: z.enum(INTENTS),
  urgency: z.enum(URGENCIES),
  jobTypeId: z.string().min(1).max(64).nullable().optional(),
});
export type ModelVerdict = z.infer<typeof ModelVerdictSchema>;

/** A classifier behind the rules: text in, a verdict (or null: no answer in time, or not valid) out. */
export type ModelClassifier = (text: string, signal: AbortSignal) => Promise<unknown>;

const rank = (u: Urgency) => URGENCIES.length - URGENCIES.indexOf(u);

/** The rules' answer with the model's verdict on top: more urgent wins, disagreement is a reason. */
export function combine(rules: TriageAnswer, verdict: unknown): TriageAnswer {
  const parsed = ModelVerdictSchema.safeParse(verdict);
  if (!parsed.success) return verdict === null || verdict === undefined ? rules : { ...rules, reasons: [...rules.reasons, 'model: answer not valid, ignored'] };
  const model = parsed.data;
  const reasons = [...rules.reasons];
  if (model.urgency !== rules.urgency || model.intent !== rules.intent)
    reasons.push(`model disagrees: ${model.intent}/${model.urgency} (rules: ${rules.intent}/${rules.urgency})`);
  if (rank(model.urgency) <= rank(rules.urgency)) return { ...rules, reasons };
  // The model is more urgent: it raises the urgency; an emergency takes the emergency path.
  if (model.urgency === 'emergency') return { ...rules, intent: 'emergency', urgency: 'emergency', route: 'emergency_path', reasons };
  return { ...rules, urgency: model.urgency, reasons };
}

/** Asks the model within `timeoutMs`; no answer in time, or an error, is no answer (the rules stand). */
export async function askModel(classifier: ModelClassifier, text: string, timeoutMs: number): Promise<unknown> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    return await Promise.race([
      classifier(text, controller.signal),
      new Promise<null>((resolve) => controller.signal.addEventListener('abort', () => resolve(null), { once: true })),
    ]);
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}
