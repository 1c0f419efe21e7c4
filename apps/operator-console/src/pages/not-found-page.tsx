export function NotFoundPage() {
  return (
    <section className="card card--narrow">
      <h1 className="card__title">Page not found</h1>
      <p className="card__subtitle">This console page does not exist (yet).</p>
      <a className="button" href="/">
        Go to the start page
      </a>
    </section>
  );
}
