"""The check of an uploaded signed PDF, run in a child process with limits (documents/signatures.py).

`python -m baocao06.documents.pdfcheck` reads one JSON request on stdin — the file's path, the trust
anchors' and intermediates' paths, the expected version hash — and writes one JSON answer on stdout:
`{"ok": true, "signer": …}` or `{"ok": false, "code": …, "message": …}`. No Django here: the child
imports only pyHanko, parses the file (pyHanko never runs a PDF's scripts or actions), and exits. Its
parent has already refused the file by size, and gives it bounded address space and CPU time; a child
killed by them is a refusal too.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import sys

KEYWORD = re.compile(rb"baocao06-version-([0-9a-f]{64})")
TAIL_BYTES = 2048
MAX_SIGNATURES = 8

MESSAGES = {
    "not_pdf": "Tệp tải lên không phải là tệp PDF.",
    "truncated": "Tệp PDF không trọn vẹn (bị cắt cụt hoặc hỏng), không đọc được.",
    "unreadable": "Không đọc được cấu trúc tệp PDF (tệp hỏng hoặc không đúng định dạng).",
    "encrypted": "Tệp PDF có mật khẩu hoặc được mã hóa; hãy tải lên tệp PDF đã ký không đặt mật khẩu.",
    "unsigned": "Tệp PDF không có chữ ký số.",
    "too_many": "Tệp PDF có quá nhiều chữ ký số để kiểm tra.",
    "invalid": "Chữ ký số không hợp lệ: nội dung được ký không khớp với chữ ký.",
    "modified": "Tệp PDF đã bị thay đổi sau khi ký (có phần ghi thêm sau chữ ký); chữ ký không còn bảo đảm nội dung.",
    "expired": "Chứng thư số của người ký đã hết hạn (hoặc chưa có hiệu lực) tại thời điểm kiểm tra.",
    "untrusted": (
        "Chứng thư số của người ký không do tổ chức chứng thực tin cậy cấp (không dẫn về chứng thư gốc được cấu hình)."
    ),
    "no_hash": "Tệp PDF đã ký không mang mã phiên bản của hệ thống; hãy ký đúng tệp PDF tải về từ trang báo cáo.",
    "other_version": (
        "Tệp PDF đã ký là báo cáo của một lần gửi khác (mã phiên bản không khớp); hãy ký tệp PDF của lần gửi này."
    ),
    "too_complex": "Tệp PDF quá lớn hoặc quá phức tạp để kiểm tra.",
}


def refuse(code: str, detail: str = "") -> dict:
    return {"ok": False, "code": code, "message": MESSAGES[code], "detail": detail[:300]}


def _name(cert) -> str:
    subject = cert.subject.native
    return str(subject.get("common_name") or cert.subject.human_friendly)


def _iso(value) -> str | None:
    return value.isoformat() if isinstance(value, dt.datetime) else None


def check(request: dict) -> dict:
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.errors import SignatureValidationError
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    with open(request["path"], "rb") as handle:
        data = handle.read()
    if not data.startswith(b"%PDF-"):
        return refuse("not_pdf")
    if b"%%EOF" not in data[-TAIL_BYTES:]:
        return refuse("truncated")
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
    except (PdfError, ValueError, KeyError, TypeError, IndexError) as exc:
        # pyHanko stops inflating a stream past its own limit: a bomb, not a damaged file.
        return refuse("too_complex" if "exceeds the limit" in str(exc) else "unreadable", str(exc))
    if reader.encrypted:
        return refuse("encrypted")
    try:
        signatures = reader.embedded_signatures
    except (PdfError, ValueError, KeyError, TypeError, IndexError, AttributeError) as exc:
        return refuse("unreadable", str(exc))
    if not signatures:
        return refuse("unsigned")
    if len(signatures) > MAX_SIGNATURES:
        return refuse("too_many")
    roots = [load_cert_from_pemder(path) for path in request["trust_roots"]]
    others = [load_cert_from_pemder(path) for path in request.get("intermediates") or []]
    now = dt.datetime.now(dt.UTC)
    signature = signatures[-1]  # the last signature covers the whole file, the others included
    context = ValidationContext(trust_roots=roots, other_certs=others, allow_fetching=False, moment=now)
    try:
        status = validate_pdf_signature(signature, signer_validation_context=context)
    except (SignatureValidationError, PdfError, ValueError, KeyError, TypeError) as exc:
        return refuse("invalid", str(exc))
    if not (status.intact and status.valid):
        return refuse("invalid")
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        return refuse("modified", str(status.coverage))
    cert = status.signing_cert
    validity = cert["tbs_certificate"]["validity"]
    not_before, not_after = validity["not_before"].native, validity["not_after"].native
    if not (not_before <= now <= not_after):
        return refuse("expired", f"{not_before} – {not_after}")
    if not status.trusted:
        return refuse("untrusted", str(status.trust_problem_indic))
    # The version hash is read from the signed revision's metadata: the keywords (Info) and the XMP packet.
    found = KEYWORD.search(_metadata(reader))
    expected = request.get("expected_hash")
    if expected and found is None:
        return refuse("no_hash")
    if expected and found.group(1).decode() != expected:
        return refuse("other_version", found.group(1).decode())
    signed_at = status.signer_reported_dt
    return {
        "ok": True,
        "signer": _name(cert),
        "subject": cert.subject.human_friendly,
        "issuer": cert.issuer.human_friendly,
        "serial": format(cert.serial_number, "x"),
        "not_before": _iso(not_before),
        "not_after": _iso(not_after),
        "signed_at": _iso(signed_at),
        "version_hash": found.group(1).decode() if found else "",
        "summary": status.summary(),
    }


def _metadata(reader) -> bytes:
    parts = []
    info = reader.trailer_view.get("/Info")
    if info is not None:
        keywords = info.get_object().get("/Keywords")
        if keywords is not None:
            parts.append(str(keywords).encode("utf-8", "replace"))
    metadata = reader.root.get("/Metadata")
    if metadata is not None:
        parts.append(metadata.get_object().data[:1_000_000])
    return b"\n".join(parts)


def main() -> int:
    request = json.loads(sys.stdin.read())
    try:
        # Loading pyHanko is the first thing the memory limit meets; failing there is running out too.
        import pyhanko.sign.validation  # noqa: F401
    except (MemoryError, ImportError) as exc:
        sys.stdout.write(json.dumps(refuse("too_complex", f"{type(exc).__name__}"), ensure_ascii=False))
        return 0
    try:
        answer = check(request)
    except MemoryError:
        answer = refuse("too_complex")
    except RecursionError:
        answer = refuse("too_complex", "recursion")
    except Exception as exc:
        answer = refuse("unreadable", f"{type(exc).__name__}: {exc}")
    sys.stdout.write(json.dumps(answer, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
