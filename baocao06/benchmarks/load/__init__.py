"""The load test (`python manage.py loadtest`, `make loadtest`): real HTTP against gunicorn.

- `setup.py` builds its own round on the database: one report per unit, its reporter and approver, a
  browser session per reporter (cookies as a signed-in browser holds them) and an API token per
  unit, and every draft filled so that it can be submitted.
- `server.py` starts gunicorn with several workers on the loopback address and stops it.
- `client.py` is an open-loop async client (on `http.py`, a small HTTP/1.1 client of its own):
  requests are sent on a fixed schedule at each rate whatever the server's answers, latency is
  counted from the scheduled moment (no coordinated omission), and each virtual person has at most
  one request in flight, as the page's script does.
- `surge.py` is QUALITY.md's deadline surge: every unit autosaves 10 times and submits inside a
  window; then the database is checked for lost writes.
"""
