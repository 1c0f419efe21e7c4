import { type FormEvent, useId, useState } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router';
import { ErrorNotice } from '../components/error-notice';
import { useLogin, useSession } from '../hooks/use-session';

/** Sign-in through the BFF: the session cookie is httpOnly, the page only learns who it is and the CSRF token. */
export function LoginPage() {
  const emailId = useId();
  const passwordId = useId();
  const titleId = useId();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const session = useSession();
  const login = useLogin();
  const navigate = useNavigate();
  const location = useLocation();
  const from = (location.state as { from?: string } | null)?.from ?? '/workspaces';

  if (session.data) return <Navigate to={from} replace />;

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    login.mutate({ email: email.trim(), password }, { onSuccess: () => void navigate(from, { replace: true }) });
  };

  return (
    <section className="login" aria-labelledby={titleId}>
      <div className="card">
        <h1 className="card__title" id={titleId}>
          Sign in
        </h1>
        <p className="card__subtitle">Manage workspaces, connectors and policies.</p>
        <form className="form" onSubmit={submit} noValidate>
          <div className="form__field">
            <label htmlFor={emailId}>Email</label>
            <input id={emailId} name="email" type="email" autoComplete="username" placeholder="you@company.com" value={email} onChange={(e) => setEmail(e.target.value)} required />
          </div>
          <div className="form__field">
            <label htmlFor={passwordId}>Password</label>
            <input id={passwordId} name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
          </div>
          <ErrorNotice error={login.error} />
          <button className="button button--primary" type="submit" disabled={login.isPending || !email || !password}>
            {login.isPending ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
      </div>
    </section>
  );
}
