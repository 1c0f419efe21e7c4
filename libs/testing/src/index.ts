// E2E helpers: test database and Redis prefix, app bootstrap, fake upstream.
