"""Settings for the test suite: the real settings, with a throwaway key and fast hashing."""

import os

os.environ.setdefault("BAOCAO06_INSECURE_DEV_KEY", "1")
os.environ.setdefault("BAOCAO06_TESTING", "1")

from .settings import *  # noqa: F403

# Argon2 is deliberately slow; tests create many users. Production hashers are tested directly.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# WhiteNoise looks for collected files at start-up; tests serve from the finders instead.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405

# SQLite tests use a file, as production SQLite does (WAL, busy timeout, IMMEDIATE transactions):
# an in-memory shared-cache database locks differently and would hide concurrency behaviour.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"]["NAME"] = str(BASE_DIR / "var" / f"test-{os.getpid()}.sqlite3")  # noqa: F405
