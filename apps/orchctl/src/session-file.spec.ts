import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSession, removeSession, type Session, sessionPath, writeSession } from './session-file';

const SESSION: Session = { url: 'http://127.0.0.1:4000', access_token: 'a.b.c', expires_at: '2026-01-01T00:15:00.000Z', refresh_token: 'ort_x', operator: { email: 'ada@example.com', roles: ['OperatorAdmin'] } };

describe('session-file', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'orchctl-session-'));
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  describe(sessionPath.name, () => {
    it('prefers ORCHCTL_SESSION_FILE, then XDG_CONFIG_HOME, then ~/.config', () => {
      expect(sessionPath({ ORCHCTL_SESSION_FILE: '/x/s.json', XDG_CONFIG_HOME: '/cfg', HOME: '/home/a' })).toBe('/x/s.json');
      expect(sessionPath({ XDG_CONFIG_HOME: '/cfg', HOME: '/home/a' })).toBe('/cfg/orchctl/session.json');
      expect(sessionPath({ HOME: '/home/a' })).toBe('/home/a/.config/orchctl/session.json');
    });
  });

  describe(writeSession.name, () => {
    it('writes the session readable by its owner only, in a private folder, leaving no temporary file', () => {
      const path = join(dir, 'orchctl', 'session.json');
      writeSession(path, SESSION);
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(statSync(join(dir, 'orchctl')).mode & 0o777).toBe(0o700);
      expect(readdirSync(join(dir, 'orchctl'))).toEqual(['session.json']);
      expect(readSession(path)).toEqual(SESSION);
    });

    it('tightens a file that was too open', () => {
      const path = join(dir, 'session.json');
      writeFileSync(path, '{}', { mode: 0o644 });
      writeSession(path, SESSION);
      expect(statSync(path).mode & 0o777).toBe(0o600);
    });
  });

  describe(readSession.name, () => {
    it('answers undefined when there is no session', () => {
      expect(readSession(join(dir, 'absent.json'))).toBeUndefined();
    });

    it('refuses a damaged file with a way out', () => {
      const path = join(dir, 'session.json');
      writeFileSync(path, '{"url": 1');
      expect(() => readSession(path)).toThrow(/damaged: run orchctl logout/);
      writeFileSync(path, '{"url": "http://x"}');
      expect(() => readSession(path)).toThrow(/damaged/);
    });
  });

  describe(removeSession.name, () => {
    it('removes the file, and says whether there was one', () => {
      const path = join(dir, 'session.json');
      writeSession(path, SESSION);
      expect(removeSession(path)).toBe(true);
      expect(removeSession(path)).toBe(false);
    });
  });
});
