/**
 * Expired holds give their minutes back without waiting for a refused claim: a counter item cannot
 * expire by itself (only its HELD claims do), so the RecoverySweep runs this over the counters due
 * in the sparse `byDue` index (partition RECLAIM_PARTITION; no scan). Each expired HELD claim is
 * removed on condition it is still HELD and expired (capacity/store.ts reclaimExpiredMinutes), so a
 * claim committed or renewed meanwhile, and every BOOKED claim, stays as it is. The counter is then
 * due again when its next hold runs out, or leaves the list.
 */
import { logger } from '../shared/logger';
import { dueCounters, rescheduleCounter } from './reclaim-store';
import { counterEntries, reclaimExpiredMinutes } from './store';
import { getItem } from '../shared/dynamo';

/** Counters looked at per sweep (the rest wait for the next one). */
const SWEEP_LIMIT = 500;

export async function sweepExpiredClaims(at: Date, options: { tenantId?: string } = {}): Promise<{ counters: number; minutes: number }> {
  const counts = { counters: 0, minutes: 0 };
  const nowSeconds = Math.floor(at.getTime() / 1000);
  for (const key of await dueCounters(at, SWEEP_LIMIT, options.tenantId)) {
    try {
      const item = await getItem(key, { consistent: true });
      const expired = counterEntries(item).filter((e) => e.status === 'HELD' && (e.expiresAt ?? 0) <= nowSeconds);
      if (expired.length && (await reclaimExpiredMinutes(key, at, item))) {
        counts.counters++;
        counts.minutes += expired.reduce((n, e) => n + e.minutes, 0);
      }
      await rescheduleCounter(key);
    } catch (error) {
      // One bad row never stops the sweep; it stays due and is looked at again next time.
      logger.warn('expired claim sweep failed for a counter', { key: key.sk, error: (error as Error).name });
    }
  }
  return counts;
}
