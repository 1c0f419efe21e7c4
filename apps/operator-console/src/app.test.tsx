import { cleanup, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from './app';
import { jsonFetch, renderWithQueryClient } from './testing/test-utils';

afterEach(cleanup);

describe(App.name, () => {
  it('shows the product name and the sign-in page at /login', () => {
    vi.stubGlobal('fetch', jsonFetch(200, { control_api: 'up', exec_api: 'up' }).fetch);
    renderWithQueryClient(<App pathname="/login" />);

    expect(screen.getByRole('banner').textContent).toContain('Orchestrator console');
    expect(screen.getByRole('heading', { name: 'Sign in' })).toBeTruthy();
  });

  it('leads / to the sign-in page and its canonical URL', () => {
    vi.stubGlobal('fetch', jsonFetch(200, { control_api: 'up', exec_api: 'up' }).fetch);
    window.history.replaceState(null, '', '/');
    renderWithQueryClient(<App pathname="/" />);

    expect(screen.getByRole('heading', { name: 'Sign in' })).toBeTruthy();
    expect(window.location.pathname).toBe('/login');
  });

  it('says so for an unknown page', () => {
    vi.stubGlobal('fetch', jsonFetch(200, { control_api: 'up', exec_api: 'up' }).fetch);
    renderWithQueryClient(<App pathname="/nowhere" />);

    expect(screen.getByRole('heading', { name: 'Page not found' })).toBeTruthy();
  });
});
