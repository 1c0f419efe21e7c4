import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LoginPage, SIGN_IN_PENDING_NOTE } from './login-page';

afterEach(cleanup);

describe(LoginPage.name, () => {
  it('renders labelled email and password fields', () => {
    render(<LoginPage />);

    expect(screen.getByLabelText('Email')).toHaveProperty('type', 'email');
    expect(screen.getByLabelText('Password')).toHaveProperty('type', 'password');
  });

  it('keeps the submit button disabled and explains why', () => {
    render(<LoginPage />);

    expect(screen.getByRole('button', { name: 'Sign in' })).toHaveProperty('disabled', true);
    expect(screen.getByRole('note').textContent).toContain(SIGN_IN_PENDING_NOTE);
  });

  it('sends nothing when the form is submitted anyway', () => {
    const fetchSpy = vi.fn();
    vi.stubGlobal('fetch', fetchSpy);
    render(<LoginPage />);

    fireEvent.change(screen.getByLabelText('Email'), { target: { value: 'op@example.com' } });
    fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'secret' } });
    const notPrevented = fireEvent.submit(screen.getByRole('button', { name: 'Sign in' }).closest('form') as HTMLFormElement);

    expect(notPrevented).toBe(false);
    expect(fetchSpy).not.toHaveBeenCalled();
  });
});
