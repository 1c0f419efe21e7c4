import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderAt, routedFetch } from '../../testing/test-utils';
import { allowSlowRenders, BASE_ROUTES, page, WS, WS_PATH } from './test-fixtures';

allowSlowRenders();

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const IDENTITY = {
  id: '618a50ae-8db7-4d3c-81cf-7a6801eb0b0f',
  workspace_id: WS,
  name: 'svc:acme-worker',
  client_id: 'ci_b12bda84f070585f7de87f083e2a2a96',
  audience: 'orchestrator-exec',
  scopes: ['execute', 'jobs:read'],
  revoked_at: null,
  previous_secret_expires_at: null,
  created_at: '2026-11-27T02:12:01.719Z',
  updated_at: '2026-11-27T02:12:01.719Z',
};
const SECRET = 'cs_NjtARQ5PEiVN1Kl_6A1fm-H-5UYCeNTB6cW919iAwwo';

describe('service identities', () => {
  it('shows the client secret once, with a copy button, and never again after closing', async () => {
    const writeText = vi.fn(async () => undefined);
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText } });
    let listed: unknown[] = [];
    const fetchStub = routedFetch({
      ...BASE_ROUTES,
      [`GET ${WS_PATH}/service-identities`]: () => page(listed),
      [`POST ${WS_PATH}/service-identities`]: () => {
        listed = [IDENTITY];
        return { status: 201, body: { ...IDENTITY, client_secret: SECRET } };
      },
    });
    vi.stubGlobal('fetch', fetchStub.fetch);
    renderAt(`/w/${WS}/identities`);

    fireEvent.click(await screen.findByRole('button', { name: 'Create service identity' }));
    const dialog = await screen.findByRole('dialog', { name: 'Create service identity' });
    fireEvent.change(within(dialog).getByLabelText('Name'), { target: { value: 'svc:acme-worker' } });
    // Scopes are the chosen audience's.
    expect(within(dialog).queryByLabelText('audit:read')).toBeNull();
    fireEvent.click(within(dialog).getByLabelText('execute'));
    fireEvent.click(within(dialog).getByLabelText('jobs:read'));
    fireEvent.change(within(dialog).getByLabelText(/Reason/), { target: { value: 'worker of acme' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Create service identity' }));

    const shown = await screen.findByRole('dialog', { name: /created/ });
    expect((within(shown).getByLabelText('Client secret') as HTMLInputElement).value).toBe(SECRET);
    expect(within(shown).getByText(/you will not see it again/)).toBeTruthy();
    fireEvent.click(within(shown).getByRole('button', { name: 'Copy' }));
    await waitFor(() => expect(writeText).toHaveBeenCalledWith(SECRET));
    expect(await within(shown).findByText('Copied to the clipboard.')).toBeTruthy();

    const post = fetchStub.calls.find((c) => c.method === 'POST');
    expect(JSON.parse(String(post?.init?.body))).toEqual({ name: 'svc:acme-worker', audience: 'orchestrator-exec', scopes: ['execute', 'jobs:read'] });
    expect(new Headers(post?.init?.headers).get('x-reason')).toBe('worker of acme');

    fireEvent.click(within(shown).getByRole('button', { name: 'I have stored it' }));
    expect(await screen.findByText('ci_b12bda84f070585f7de87f083e2a2a96')).toBeTruthy();
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(screen.queryByDisplayValue(SECRET)).toBeNull();
    expect(document.body.textContent).not.toContain(SECRET);
  });

  it('rotates with a reason and shows the new secret once; revoke needs a reason', async () => {
    const fetchStub = routedFetch({
      ...BASE_ROUTES,
      [`GET ${WS_PATH}/service-identities`]: page([IDENTITY]),
      [`POST ${WS_PATH}/service-identities/${IDENTITY.id}/rotate-secret`]: { status: 200, body: { ...IDENTITY, client_secret: 'cs_new', previous_secret_expires_at: '2026-11-27T03:12:01.719Z' } },
    });
    vi.stubGlobal('fetch', fetchStub.fetch);
    renderAt(`/w/${WS}/identities`);

    fireEvent.click(await screen.findByRole('button', { name: 'Rotate secret of svc:acme-worker' }));
    const dialog = await screen.findByRole('dialog');
    fireEvent.change(within(dialog).getByLabelText(/Grace period/), { target: { value: '600' } });
    fireEvent.change(within(dialog).getByLabelText(/Reason/), { target: { value: 'leaked in a log' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Rotate secret' }));

    const shown = await screen.findByRole('dialog', { name: /New secret of svc:acme-worker/ });
    expect((within(shown).getByLabelText('Client secret') as HTMLInputElement).value).toBe('cs_new');
    const rotate = fetchStub.calls.find((c) => c.method === 'POST');
    expect(JSON.parse(String(rotate?.init?.body))).toEqual({ grace_seconds: 600 });
    fireEvent.click(within(shown).getByRole('button', { name: 'I have stored it' }));

    fireEvent.click(screen.getByRole('button', { name: 'Revoke svc:acme-worker' }));
    const revoke = await screen.findByRole('dialog');
    fireEvent.click(within(revoke).getByRole('button', { name: 'Revoke' }));
    expect(await within(revoke).findByText('A reason is required')).toBeTruthy();
    expect(fetchStub.calls.filter((c) => c.url.endsWith('/revoke'))).toEqual([]);
  });
});
