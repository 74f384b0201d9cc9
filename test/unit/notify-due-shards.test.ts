/**
 * The due index's sharding and the sweep's order (issue 19 item 5), pure parts: a tenant's rows keep
 * one shard, tenants spread over the shards, and a sweep takes tenants in turn; which partitions a
 * sweep looks at, given the due marker (issue 19 item 4).
 */
import { describe, expect, it } from 'vitest';
import {
  DUE_PARTITION,
  DUE_SHARDS,
  type DueMarker,
  duePartition,
  duePartitionOfShard,
  duePartitions,
  dueShardOf,
  type LedgerMessage,
  NO_ROWS,
} from '../../functions/notify/store';
import { isFullSweep, partitionsToSweep, tenantsInTurn } from '../../functions/notify/sweep';

const row = (tenantId: string, bookingId: string): LedgerMessage => ({ tenantId, bookingId, kind: 'confirmation' });

describe('due shards', () => {
  it('a tenant always maps to the same shard, and 200 tenants use every shard', () => {
    expect(dueShardOf('acme-plumbing')).toBe(dueShardOf('acme-plumbing'));
    expect(duePartition('acme-plumbing')).toBe(`${DUE_PARTITION}#${dueShardOf('acme-plumbing')}`);
    const used = new Set(Array.from({ length: 200 }, (_, i) => dueShardOf(`tenant-${i}`)));
    expect(used.size).toBe(DUE_SHARDS);
  });

  it('the sweep reads every shard and the legacy single partition (dual read)', () => {
    const partitions = duePartitions();
    expect(partitions).toHaveLength(DUE_SHARDS + 1);
    expect(partitions).toContain(DUE_PARTITION);
    expect(new Set(Array.from({ length: 50 }, (_, i) => duePartition(`t${i}`))).size).toBeGreaterThan(1);
    for (let i = 0; i < 50; i++) expect(partitions).toContain(duePartition(`t${i}`));
  });

  it('takes tenants in turn: a burst of one tenant does not push another tenant back', () => {
    const burst = Array.from({ length: 1_000 }, (_, i) => row('big', `b${i}`));
    const ordered = tenantsInTurn([...burst, row('small', 's1'), row('other', 'o1'), row('other', 'o2')]);
    expect(ordered.slice(0, 3).map((r) => r.tenantId)).toEqual(['big', 'small', 'other']);
    expect(ordered.slice(3, 5).map((r) => `${r.tenantId}:${r.bookingId}`)).toEqual(['big:b1', 'other:o2']);
    expect(ordered).toHaveLength(1_003);
    // Each tenant's own rows keep their (due-time) order.
    expect(ordered.filter((r) => r.tenantId === 'big').map((r) => r.bookingId)).toEqual(burst.map((r) => r.bookingId));
  });

  it('a sweep looks only at the shards whose hint is absent or due; with no marker, or at the full sweep minute, at every partition', () => {
    const quiet: DueMarker = Object.fromEntries(Array.from({ length: DUE_SHARDS }, (_, shard) => [shard, { next: NO_ROWS, seq: 1 }]));
    const minute = new Date('2026-11-30T12:07:00.000Z');
    expect(isFullSweep(minute)).toBe(false);
    expect(partitionsToSweep(quiet, minute)).toEqual([]);
    expect(partitionsToSweep(undefined, minute)).toEqual(duePartitions());
    expect(partitionsToSweep(quiet, new Date('2026-11-30T13:00:00.000Z'))).toEqual(duePartitions());
    // A writer marked shard 3 (no hint), shard 5's earliest row is due, shard 7's is not yet.
    const marker: DueMarker = {
      ...quiet,
      3: { seq: 2, at: minute.toISOString() },
      5: { next: '2026-11-30T12:06:30.000Z', seq: 1 },
      7: { next: '2026-11-30T12:08:00.000Z', seq: 1 },
    };
    expect(partitionsToSweep(marker, minute)).toEqual([duePartitionOfShard(3), duePartitionOfShard(5)]);
  });
});
