/** The dispatch sweep's work: every paging round due by `at` moves on (a page timed out, escalation due). */
import { logger } from '../shared/logger';
import { advanceDispatch } from './dispatch';
import { listDueDispatches } from './store';

export async function sweepDueDispatches(at: Date, only?: { tenantId?: string }): Promise<number> {
  const due = (await listDueDispatches(at)).filter((d) => !only?.tenantId || d.tenantId === only.tenantId);
  let moved = 0;
  for (const { tenantId, bookingId } of due) {
    try {
      await advanceDispatch(tenantId, bookingId, at);
      moved++;
    } catch (error) {
      // One broken dispatch never stops the others; it stays due and the next sweep tries again.
      logger.error('emergency dispatch could not move on', { tenantId, bookingId, error: (error as Error).name });
    }
  }
  return moved;
}
