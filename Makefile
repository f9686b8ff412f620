# baocao06 — the two commands are `make demo` and `make test` (see README.md).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
# PostgreSQL used by `make test` when DATABASE_URL is not set and a local server answers.
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/baocao06
# PostgreSQL database of `make bench` (created when missing; national-scale data, ~2 GB).
BENCH_PG_URL ?= postgres://postgres@127.0.0.1:5432/baocao06_bench
# PostgreSQL database of `make loadtest` (created when missing; each run adds its own round).
LOADTEST_PG_URL ?= postgres://postgres@127.0.0.1:5432/baocao06_load
# The demo and the tests run with a throwaway key and local settings; production sets its own.
LOCAL := DEBUG=1 BAOCAO06_INSECURE_DEV_KEY=1
DEMO_ADDR ?= 127.0.0.1:8000

.PHONY: demo test venv lint check audit browser bench loadtest clean-demo lock

$(VENV)/.installed: requirements/base.txt requirements/dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements/base.txt -r requirements/dev.txt
	touch $@

venv: $(VENV)/.installed

## demo: create the environment, migrate SQLite, load demo data, serve at http://$(DEMO_ADDR) (default 127.0.0.1:8000)
demo: venv
	@mkdir -p var
	env -u DATABASE_URL $(LOCAL) $(PY) manage.py migrate --noinput
	env -u DATABASE_URL $(LOCAL) $(PY) manage.py load_demo --addr $(DEMO_ADDR)
	env -u DATABASE_URL $(LOCAL) $(PY) manage.py send_reminders --schedule
	@echo "Background worker (reminders, exports) and web server starting; Ctrl+C stops both."
	@env -u DATABASE_URL $(LOCAL) $(PY) manage.py db_worker --queue-name '*' --no-reload > var/worker.log 2>&1 & \
	  worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  env -u DATABASE_URL $(LOCAL) $(PY) manage.py runserver $(DEMO_ADDR) --noreload

## test: the whole suite on SQLite, then on PostgreSQL when DATABASE_URL is set or the local server answers
test: venv browser lint check audit
	env -u DATABASE_URL BAOCAO06_TEST_DB=sqlite $(PY) -m pytest -q
	@url="$${DATABASE_URL:-$(PG_TEST_URL)}"; \
	if [ -n "$$DATABASE_URL" ] || $(PY) scripts/pg_available.py "$$url"; then \
	  echo "--- PostgreSQL: $$url"; DATABASE_URL="$$url" BAOCAO06_TEST_DB=postgresql $(PY) -m pytest -q; \
	else echo "--- PostgreSQL not reachable: suite ran on SQLite only"; fi

lint: venv
	$(PY) -m ruff check .

check: venv
	env -u DATABASE_URL $(LOCAL) $(PY) manage.py makemigrations --check --dry-run
	env -u DATABASE_URL $(LOCAL) $(PY) manage.py check

## audit: pip-audit of requirements/base.txt; a known vulnerability fails, an unreachable service is reported
## and skipped (DEPENDENCY_AUDIT_STRICT=1 fails then too)
audit: venv
	$(PY) scripts/dependency_audit.py

# Browser tests drive Debian's Chromium; Playwright's own browser download does not work here.
# LibreOffice makes every PDF (the application's, and the tests' that convert the DOCX files).
browser:
	@command -v chromium >/dev/null 2>&1 || test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Chromium (Debian package) for the browser tests"; \
	    apt-get install -y -qq chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium; }; \
	  else echo "Chromium is required for the browser tests: sudo apt-get install chromium" >&2; exit 1; fi; }
	@command -v soffice >/dev/null 2>&1 || test -x /usr/bin/soffice || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing LibreOffice Writer (Debian package) for the DOCX tests"; \
	    apt-get install -y -qq libreoffice-writer-nogui >/dev/null || { apt-get update -qq && apt-get install -y -qq libreoffice-writer-nogui; }; \
	  else echo "LibreOffice is required for the DOCX tests: sudo apt-get install libreoffice-writer-nogui" >&2; exit 1; fi; }

## lock: pin requirements/*.in with hashes into requirements/*.txt (keeps existing pins; UPGRADE=1 moves them)
## The machine's own index and wheel-folder settings stay out of the files.
LOCK_FLAGS := --quiet --allow-unsafe --generate-hashes --strip-extras --no-emit-index-url --no-emit-find-links $(if $(UPGRADE),--upgrade)
lock: venv
	$(PY) -m pip install --quiet --require-hashes -r requirements/dev.txt
	$(PY) -m piptools compile $(LOCK_FLAGS) --output-file=requirements/base.txt requirements/base.in
	$(PY) -m piptools compile $(LOCK_FLAGS) --output-file=requirements/dev.txt requirements/dev.in

clean-demo:
	rm -f var/baocao06.sqlite3 var/baocao06.sqlite3-wal var/baocao06.sqlite3-shm

## bench: performance figures of QUALITY.md (medians and ratios, measured side by side), on SQLite and
## then on PostgreSQL (BENCH_PG_URL, created when missing). One bench: make bench BENCH=compile
bench: venv
	@mkdir -p var
	env -u DATABASE_URL SQLITE_PATH=var/bench.sqlite3 $(LOCAL) $(PY) manage.py migrate --noinput -v0
	env -u DATABASE_URL SQLITE_PATH=var/bench.sqlite3 $(LOCAL) $(PY) manage.py load_demo > /dev/null
	@echo "--- SQLite: var/bench.sqlite3"
	env -u DATABASE_URL SQLITE_PATH=var/bench.sqlite3 $(LOCAL) $(PY) manage.py bench $(BENCH) $(BENCH_ARGS)
	@if $(PY) scripts/pg_available.py "$(BENCH_PG_URL)" --create; then \
	  echo "--- PostgreSQL: $(BENCH_PG_URL)"; \
	  DATABASE_URL="$(BENCH_PG_URL)" $(LOCAL) $(PY) manage.py migrate --noinput -v0 && \
	  DATABASE_URL="$(BENCH_PG_URL)" $(LOCAL) $(PY) manage.py load_demo > /dev/null && \
	  DATABASE_URL="$(BENCH_PG_URL)" $(LOCAL) $(PY) manage.py bench $(BENCH) $(BENCH_ARGS); \
	else echo "--- PostgreSQL not reachable at $(BENCH_PG_URL): benchmarks ran on SQLite only"; fi

## loadtest: autosave by browser and API at rising rates and the deadline surge, against gunicorn with
## several workers on 127.0.0.1 and PostgreSQL (LOADTEST_PG_URL). Options: LOADTEST_ARGS="--rates 50,100,150"
loadtest: venv
	@$(PY) scripts/pg_available.py "$(LOADTEST_PG_URL)" --create || { echo "PostgreSQL not reachable at $(LOADTEST_PG_URL)" >&2; exit 1; }
	DATABASE_URL="$(LOADTEST_PG_URL)" $(LOCAL) $(PY) manage.py migrate --noinput -v0
	DATABASE_URL="$(LOADTEST_PG_URL)" $(LOCAL) $(PY) manage.py loadtest $(LOADTEST_ARGS)
