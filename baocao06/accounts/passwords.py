"""Password rules beyond Django's: guessable patterns, and passwords known from public breaches.

`GuessablePasswordValidator` refuses a password made of what people usually build one from — a common
or Vietnamese word, a name, the system's own name, a keyboard walk, a run of digits or a year — with
symbols between (`Matkhau@123`, `Abc@123456`, `Admin@12345`, `Baocao06@2024`, `Nguyen@1990`): what is
left once those pieces are taken out must still have 4 letters.

`BreachedPasswordValidator` refuses a password found in a breached-password corpus, offline: the
SHA-1 of the password is looked up in range files of the layout Have I Been Pwned publishes (k-anonymity
ranges: a file per 5-hex-digit prefix, lines `SUFFIX:COUNT`) in BAOCAO06_BREACHED_PASSWORDS_DIR, where
the operator may put the whole downloaded corpus, and in the small corpus shipped in data/passwords/
(data/passwords/README.md says where it comes from).
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import re
import unicodedata
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError

# Letters a digit or symbol stands for when written inside a word ("p@ssw0rd").
_LEET = str.maketrans({"@": "a", "4": "a", "0": "o", "1": "i", "!": "i", "3": "e", "5": "s", "$": "s", "7": "t"})
_SEQUENCES = (
    "abcdefghijklmnopqrstuvwxyz",
    "01234567890",
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
    "qazwsxedcrfvtgbyhnujmikolp",
    "1q2w3e4r5t6y7u8i9o0p",
    "q1w2e3r4t5y6u7i8o9p0",
)
_SEQUENCES += tuple(s[::-1] for s in _SEQUENCES)
MIN_LEFT = 4  # letters that must remain once the guessable pieces are taken out
MIN_WORD = 3  # shorter words of the list would eat random letters
LONG_ENOUGH = 64  # a password this long is not a guess built from pieces (and is not analysed)


def plain(text: str) -> str:
    """Lower case, without Vietnamese accents (đ → d), leetspeak inside words read as letters."""
    text = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    chars = list(text)
    for i, ch in enumerate(text):
        beside = (text[i - 1] if i else "") + (text[i + 1] if i + 1 < len(text) else "")
        if ch in "@40153$7!" and any(c.isalpha() for c in beside):
            chars[i] = ch.translate(_LEET)
    return "".join(chars)


@functools.cache
def guessable_words() -> tuple[str, ...]:
    """The word list (data/passwords/guessable-words.txt), longest first."""
    path = Path(settings.BAOCAO06_DATA_DIR) / "passwords" / "guessable-words.txt"
    words = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        word = re.sub(r"[^a-z0-9]", "", plain(line.split("#", 1)[0]))
        if len(word) >= MIN_WORD:
            words.add(word)
    return tuple(sorted(words, key=lambda w: (-len(w), w)))


def _without_sequences(text: str) -> str:
    """Take out runs of 3+ characters that follow a keyboard row, the alphabet or the digits, and
    runs of one character repeated 3+ times."""
    kept, i, n = [], 0, len(text)
    while i < n:
        j = i + 1
        if j < n and text[j] == text[i]:
            while j < n and text[j] == text[i]:
                j += 1
        else:
            while j < n and any(text[i : j + 1] in seq for seq in _SEQUENCES):  # at most a row long
                j += 1
        if j - i >= 3:
            i = j
        else:
            kept.append(text[i])
            i += 1
    return "".join(kept)


def left_after_guessable_pieces(password: str, extra_words=()) -> str:
    """What is left of the password once words, names, sequences and digits are taken out."""
    text = re.sub(r"[^a-z0-9]", "", plain(password))
    words = list(guessable_words())
    extra = {re.sub(r"[^a-z0-9]", "", plain(w)) for w in extra_words}
    words = sorted({*words, *(w for w in extra if len(w) >= MIN_WORD)}, key=lambda w: (-len(w), w))
    for word in words:
        text = text.replace(word, " ")
    text = " ".join(_without_sequences(part) for part in text.split())
    return re.sub(r"[^a-z]", "", text)


class GuessablePasswordValidator:
    """Refuses passwords built from common words, names, the system's name, keyboard walks and digits."""

    message = (
        "Mật khẩu được ghép từ những phần dễ đoán (từ thông dụng, tên người, tên hệ thống, dãy phím, "
        "dãy số hoặc năm, ví dụ Matkhau@123). Hãy dùng một cụm từ dài hơn, ít người dùng hơn."
    )

    def validate(self, password, user=None):
        if len(password) >= LONG_ENOUGH:
            return
        extra = []
        if user is not None:
            for attribute in ("username", "full_name", "first_name", "last_name", "email"):
                extra += re.split(r"[\s@._-]+", str(getattr(user, attribute, "") or ""))
        if len(left_after_guessable_pieces(password, extra)) < MIN_LEFT:
            raise ValidationError(self.message, code="password_guessable")

    def get_help_text(self):
        return "Mật khẩu không được ghép từ từ thông dụng, tên, tên hệ thống, dãy phím và dãy số."


# --- Breached passwords -------------------------------------------------------------------------

SHIPPED_CORPUS = "breached-sha1.txt.gz"


@functools.cache
def _shipped() -> dict[str, int]:
    """The shipped corpus: full `SHA1:COUNT` lines (HIBP's "ordered by hash" layout), gzip."""
    path = Path(settings.BAOCAO06_DATA_DIR) / "passwords" / SHIPPED_CORPUS
    counts = {}
    with gzip.open(path, "rt", encoding="ascii") as lines:
        for line in lines:
            digest, _, count = line.strip().partition(":")
            if digest:
                counts[digest] = int(count or 1)
    return counts


def _range_file(directory: Path, prefix: str) -> Path | None:
    for name in (f"{prefix}.txt", prefix):
        path = directory / name
        if path.is_file():
            return path
    return None


def breach_count(password: str) -> int:
    """How often the password appears in the corpora (0 when not found)."""
    digest = hashlib.sha1(password.encode("utf-8")).hexdigest().upper()  # noqa: S324 - the HIBP format
    found = _shipped().get(digest, 0)
    directory = getattr(settings, "BAOCAO06_BREACHED_PASSWORDS_DIR", "")
    if directory:
        path = _range_file(Path(directory), digest[:5])
        if path is not None:
            suffix = digest[5:]
            with path.open(encoding="ascii", errors="replace") as lines:
                for line in lines:
                    if line[:35].upper() == suffix:
                        # Padding lines of the downloader have a count of 0: not a breached password.
                        found = max(found, int(line.strip().partition(":")[2] or 0))
                        break
    return found


class BreachedPasswordValidator:
    """Refuses a password that appears in a public breach corpus (offline, see the module's text)."""

    message = (
        "Mật khẩu này có trong danh sách mật khẩu đã bị lộ lọt công khai, kẻ gian thường thử trước. "
        "Hãy chọn mật khẩu khác."
    )

    def validate(self, password, user=None):
        candidates = {password, password.lower()}
        if any(breach_count(candidate) > 0 for candidate in candidates):
            raise ValidationError(self.message, code="password_breached")

    def get_help_text(self):
        return "Mật khẩu không được nằm trong danh sách mật khẩu đã bị lộ lọt."
