import { type FormEvent, useId } from 'react';

export const SIGN_IN_PENDING_NOTE = 'Operator sign-in arrives with the identity service';

/**
 * A placeholder until the identity service exists: the form operators will use, with its
 * submit disabled and nothing sent anywhere. There is deliberately no pretend sign-in.
 */
export function LoginPage() {
  const emailId = useId();
  const passwordId = useId();
  const noteId = useId();
  const titleId = useId();

  const preventSubmit = (event: FormEvent<HTMLFormElement>) => event.preventDefault();

  return (
    <section className="login" aria-labelledby={titleId}>
      <div className="card">
        <h1 className="card__title" id={titleId}>
          Sign in
        </h1>
        <p className="card__subtitle">Manage workspaces, connectors and policies.</p>
        <form className="form" onSubmit={preventSubmit} aria-describedby={noteId} noValidate>
          <div className="form__field">
            <label htmlFor={emailId}>Email</label>
            <input id={emailId} name="email" type="email" autoComplete="username" placeholder="you@company.com" />
          </div>
          <div className="form__field">
            <label htmlFor={passwordId}>Password</label>
            <input id={passwordId} name="password" type="password" autoComplete="current-password" />
          </div>
          <button className="button button--primary" type="submit" disabled>
            Sign in
          </button>
        </form>
        <p className="notice" id={noteId} role="note">
          {SIGN_IN_PENDING_NOTE}.
        </p>
      </div>
    </section>
  );
}
