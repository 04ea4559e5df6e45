import { randomBytes } from 'node:crypto';

/** What the server keeps for a signed-in browser. The coordinator token never leaves this process. */
export interface Session {
  id: string;
  username: string;
  role: string;
  /** The coordinator session token every gRPC call of this session carries. */
  coordinatorToken: string;
  expiresAt: number;
}

/**
 * Sessions in this server's memory, keyed by a random 256-bit id that is the only thing the browser holds (in an
 * httpOnly cookie). A restart signs everyone out, which is the price of never writing tokens to disk. Kept on
 * `globalThis` so every route bundle of the Next server sees the same map.
 */
export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Adds a session; expired ones are dropped here too, so sessions never visited again do not pile up. */
  create(input: Omit<Session, 'id'>): Session {
    const now = this.now();
    for (const [id, old] of this.sessions) if (old.expiresAt <= now) this.sessions.delete(id);
    const session: Session = { ...input, id: randomBytes(32).toString('base64url') };
    this.sessions.set(session.id, session);
    return session;
  }

  /** The live session with this id, or undefined (unknown, malformed or expired; expired ones are dropped). */
  get(id: string | undefined): Session | undefined {
    if (!id) return undefined;
    const session = this.sessions.get(id);
    if (!session) return undefined;
    if (session.expiresAt <= this.now()) {
      this.sessions.delete(id);
      return undefined;
    }
    return session;
  }

  /** Sessions held now, expired ones not yet dropped included. */
  get size(): number {
    return this.sessions.size;
  }

  delete(id: string): Session | undefined {
    const session = this.sessions.get(id);
    this.sessions.delete(id);
    return session;
  }
}

const KEY = Symbol.for('tessera.dashboard.sessions');

/** The process-wide store. */
export function sessionStore(): SessionStore {
  const holder = globalThis as unknown as Record<symbol, SessionStore | undefined>;
  return (holder[KEY] ??= new SessionStore());
}
