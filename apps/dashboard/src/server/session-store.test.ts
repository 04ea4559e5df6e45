import { describe, expect, it } from 'vitest';
import { SessionStore } from './session-store.ts';

describe('SessionStore', () => {
  it('gives each session a fresh 256-bit id and finds it until it expires', () => {
    let now = 1_000;
    const store = new SessionStore(() => now);
    const a = store.create({ username: 'ada', role: 'admin', coordinatorToken: 't1', expiresAt: 2_000 });
    const b = store.create({ username: 'ada', role: 'admin', coordinatorToken: 't2', expiresAt: 2_000 });
    expect(a.id).not.toBe(b.id);
    expect(Buffer.from(a.id, 'base64url')).toHaveLength(32);
    expect(store.get(a.id)?.coordinatorToken).toBe('t1');
    now = 2_000;
    expect(store.get(a.id)).toBeUndefined();
    expect(store.size).toBe(1);
    store.create({ username: 'bob', role: 'member', coordinatorToken: 't3', expiresAt: 3_000 });
    expect(store.size).toBe(1);
  });

  it('finds nothing for a missing, unknown or deleted id', () => {
    const store = new SessionStore(() => 0);
    const s = store.create({ username: 'ada', role: 'viewer', coordinatorToken: 't', expiresAt: 10 });
    expect(store.get(undefined)).toBeUndefined();
    expect(store.get('nope')).toBeUndefined();
    expect(store.delete(s.id)?.username).toBe('ada');
    expect(store.get(s.id)).toBeUndefined();
  });
});
