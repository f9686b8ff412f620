"""Benchmarks run by `make bench` (`python manage.py bench [NAME ...]`).

Each module here defines `NAME` (a short name), `DESCRIPTION` and `run(out, options) -> None`, which
prints its figures (medians and ratios measured side by side in one run, see QUALITY.md). Modules
are discovered by name; add one and it runs. Modules without `NAME` (the national-scale generator,
`national.py`; the tests) are helpers, not benches.
"""

import importlib
import pkgutil


def available() -> dict:
    modules = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_"):
            continue
        if info.name == "tests":
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        if hasattr(module, "NAME"):
            modules[module.NAME] = module
    return modules
