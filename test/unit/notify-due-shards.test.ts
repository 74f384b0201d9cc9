/**
 * The due index's sharding and the sweep's order (issue 19 item 5), pure parts: a tenant's rows keep
 * one shard, tenants spread over the shards, and a sweep takes tenants in turn.
 */
import { describe, expect, it } from 'vitest';
import { DUE_PARTITION, DUE_SHARDS, duePartition, duePartitions, dueShardOf, type LedgerMessage } from '../../functions/notify/store';
import { tenantsInTurn } from '../../functions/notify/sweep';

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
});
