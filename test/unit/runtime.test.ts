import { describe, expect, it } from 'vitest';

describe('runtime', () => {
  it('runs on Node 22 or newer, like Lambda (aws-local-stepfunctions needs Promise.withResolvers)', () => {
    expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(22);
    expect(typeof (Promise as unknown as { withResolvers?: unknown }).withResolvers).toBe('function');
  });
});
