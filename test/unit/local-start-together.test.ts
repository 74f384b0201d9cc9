/**
 * The local system starts DynamoDB Local, the SQS server and the bundling side by side. When one of
 * them fails (a function whose bundle does not build), stopping the system must stop the services
 * that did start, even one that came up after the failure: a JVM left running is an orphan that
 * holds a port and a core's worth of memory until someone kills it by hand.
 */
import { describe, expect, it } from 'vitest';
import { startTogether } from '../../local/runtime';

describe('startTogether', () => {
  it('registers the stop of a service that comes up after another failed, then answers the failure', async () => {
    const stops: Array<() => Promise<void>> = [];
    let stopped = false;
    let up!: (service: { stop: () => Promise<void> }) => void;
    const slow = new Promise<{ stop: () => Promise<void> }>((resolve) => {
      up = resolve;
    });
    const failing = Promise.reject(new Error('bundle failed'));
    const started = startTogether(stops, [slow, failing] as const);
    // The failure is known first; the slow service is still starting.
    await new Promise((resolve) => setImmediate(resolve));
    up({
      stop: async () => {
        stopped = true;
      },
    });
    await expect(started).rejects.toThrow('bundle failed');
    expect(stops).toHaveLength(1);
    for (const stop of stops) await stop();
    expect(stopped).toBe(true);
  });

  it('answers every service in order when all start', async () => {
    const stops: Array<() => Promise<void>> = [];
    const stop = async () => undefined;
    const [a, b] = await startTogether(stops, [Promise.resolve({ name: 'a', stop }), Promise.resolve('b')] as const);
    expect(a.name).toBe('a');
    expect(b).toBe('b');
    expect(stops).toEqual([stop]);
  });
});
