import { describe, expect, it } from 'vitest';
import { hashPassword, verifyAgainstDecoy, verifyPassword } from './password-hash.ts';

describe('password hashing', () => {
  it('verifies the right password and refuses a wrong one', async () => {
    const encoded = await hashPassword('correct horse battery');
    expect(encoded).toMatch(/^scrypt\$16384\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(encoded).not.toContain('correct horse');
    expect(await verifyPassword('correct horse battery', encoded)).toBe(true);
    expect(await verifyPassword('correct horse batterY', encoded)).toBe(false);
    expect(await verifyPassword('', encoded)).toBe(false);
  });

  it('salts each hash: one password hashes differently twice, and both verify', async () => {
    const [a, b] = await Promise.all([hashPassword('same password 1'), hashPassword('same password 1')]);
    expect(a).not.toBe(b);
    expect(await verifyPassword('same password 1', a)).toBe(true);
    expect(await verifyPassword('same password 1', b)).toBe(true);
  });

  it('treats the same text in another Unicode normal form as the same password', async () => {
    const encoded = await hashPassword('caf\u00e9 au lait ok');
    expect(await verifyPassword('cafe\u0301 au lait ok', encoded)).toBe(true);
  });

  it('reads a malformed or foreign encoding as a wrong password, not an error', async () => {
    for (const bad of ['', 'plain', 'bcrypt$10$abc', 'scrypt$x$8$1$c2FsdA$aGFzaA', 'scrypt$16384$8$1$c2FsdA$c2hvcnQ']) {
      expect(await verifyPassword('anything', bad)).toBe(false);
    }
  });

  it('answers false for the decoy check used for unknown users', async () => {
    expect(await verifyAgainstDecoy('whatever it is')).toBe(false);
  });
});
