/**
 * The integration files' lock server (test/integration/file-locks.ts): sharers of a name run side by
 * side, an exclusive holder runs alone, and a waiting exclusive file is not overtaken by later sharers.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { acquireLocks, locksCollide, locksOf, SERIAL_PROJECT, startLockServer, systemLocksOf } from '../integration/file-locks';

let server: Awaited<ReturnType<typeof startLockServer>> | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

/** Acquires in the background; `granted()` says whether it has been granted yet. */
function ask(url: string, names: string[]) {
  let release: (() => void) | undefined;
  const done = acquireLocks(url, names).then((r) => {
    release = r;
    return r;
  });
  return { done, granted: () => release !== undefined, release: () => release?.() };
}

describe('file locks', () => {
  it('sharers hold a name together; an exclusive holder waits for them, and later sharers wait behind it', async () => {
    server = await startLockServer();
    const url = server.url;
    const first = ask(url, ['notify:shared']);
    const second = ask(url, ['notify:shared']);
    await Promise.all([first.done, second.done]);

    const alone = ask(url, ['notify']);
    const late = ask(url, ['notify:shared']);
    // A name nobody else asks for is granted at once: by then the server has seen both requests above.
    const probe = async () => (await acquireLocks(url, [`probe-${Math.random()}`]))();
    await probe();
    expect(alone.granted()).toBe(false);
    expect(late.granted()).toBe(false); // a sharer may not overtake the exclusive file waiting before it

    first.release();
    second.release();
    await alone.done;
    await probe();
    expect(late.granted()).toBe(false);
    alone.release();
    await late.done;
    late.release();
  });

  it('an exclusive name keeps its holders one at a time; other names are free', async () => {
    server = await startLockServer();
    const a = ask(server.url, ['renewals']);
    await a.done;
    const b = ask(server.url, ['renewals']);
    const other = ask(server.url, ['browser']);
    await other.done; // granted beside the holder of another name
    expect(b.granted()).toBe(false);
    a.release();
    await b.done;
    b.release();
    other.release();
  });

  it('files collide on a name unless both only share it', () => {
    expect(locksOf('test/integration/two-way-sms.test.ts')).toEqual(['notify:shared']);
    expect(locksOf('test/integration/payments.test.ts')).toEqual(['renewals']);
    expect(locksOf('test/integration/messages-setup.test.ts')).toEqual(['notify']);
    expect(locksCollide(['notify:shared'], ['notify:shared'])).toBe(false);
    expect(locksCollide(['notify:shared'], ['notify'])).toBe(true);
    expect(locksCollide(['notify'], ['notify'])).toBe(true);
    expect(locksCollide(['browser', 'notify:shared'], ['browser'])).toBe(true);
    expect(locksCollide(['crm-sync'], ['notify'])).toBe(false);
  });

  it('a serial file holds the system alone, every other integration file shares it, unit and infra files hold nothing', () => {
    expect(systemLocksOf(SERIAL_PROJECT)).toEqual(['system']);
    expect(systemLocksOf('integration')).toEqual(['system:shared']);
    expect(systemLocksOf('integration-isolated')).toEqual(['system:shared']);
    expect(systemLocksOf('unit')).toEqual([]);
    expect(systemLocksOf('infra')).toEqual([]);
    expect(locksCollide(systemLocksOf(SERIAL_PROJECT), systemLocksOf('integration'))).toBe(true);
    expect(locksCollide(systemLocksOf(SERIAL_PROJECT), systemLocksOf(SERIAL_PROJECT))).toBe(true);
    expect(locksCollide(systemLocksOf('integration'), systemLocksOf('integration-isolated'))).toBe(false);
  });
});
