"""Signing a PDF on the server with the organisation's certificate (the second road to a signed copy).

The certificate is a PKCS#12 file whose path and passphrase come from the environment
(`BAOCAO06_SIGNING_PKCS12`, `BAOCAO06_SIGNING_PKCS12_PASSPHRASE`), or a key in a hardware module or
token (PKCS#11: `BAOCAO06_SIGNING_PKCS11_MODULE`, `…_TOKEN`, `…_KEY`, `…_PIN`) used through pyHanko's
`PKCS11Signer`, which needs the `python-pkcs11` package (not installed by default; docs/operations.md).
The signature is PAdES (ETSI.CAdES.detached) over the whole file, added as an incremental update, so the
PDF/A file stays as it was made.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from .signatures import SignatureRefused


def server_signing_configured() -> bool:
    pkcs12 = getattr(settings, "BAOCAO06_SIGNING_PKCS12", "")
    return bool(pkcs12 or getattr(settings, "BAOCAO06_SIGNING_PKCS11_MODULE", ""))


def _pkcs11_signer():
    try:
        from pyhanko.sign.pkcs11 import PKCS11Signer, open_pkcs11_session
    except ImportError:
        raise SignatureRefused(
            "no_signer",
            "Ký số bằng thiết bị PKCS#11 cần gói python-pkcs11, chưa được cài trên máy chủ; báo cho quản trị hệ thống.",
        ) from None
    session = open_pkcs11_session(
        settings.BAOCAO06_SIGNING_PKCS11_MODULE,
        token_label=settings.BAOCAO06_SIGNING_PKCS11_TOKEN or None,
        user_pin=settings.BAOCAO06_SIGNING_PKCS11_PIN or None,
    )
    return PKCS11Signer(session, key_label=settings.BAOCAO06_SIGNING_PKCS11_KEY or None)


def organisation_signer():
    from pyhanko.sign import signers

    if getattr(settings, "BAOCAO06_SIGNING_PKCS11_MODULE", ""):
        return _pkcs11_signer()
    path = settings.BAOCAO06_SIGNING_PKCS12
    if not path or not Path(path).is_file():
        raise SignatureRefused("no_signer", "Chưa cấu hình chứng thư số của cơ quan để ký trên máy chủ.")
    passphrase = (settings.BAOCAO06_SIGNING_PKCS12_PASSPHRASE or "").encode() or None
    signer = signers.SimpleSigner.load_pkcs12(path, passphrase=passphrase)
    if signer is None:
        raise SignatureRefused("no_signer", "Không mở được tệp chứng thư số của cơ quan (PKCS#12) hoặc sai mật khẩu.")
    return signer


def sign_pdf(source: Path, target: Path, *, reason: str, location: str = "Hà Nội", signer=None) -> Path:
    """Write `source` signed (PAdES B-B) to `target`, whole or not at all."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    signer = signer or organisation_signer()
    metadata = signers.PdfSignatureMetadata(
        field_name="ChuKyCoQuan",
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
    )
    partial = target.with_name(target.name + ".part")
    with source.open("rb") as incoming, partial.open("wb") as outgoing:
        writer = IncrementalPdfFileWriter(incoming, strict=False)
        signers.PdfSigner(metadata, signer=signer).sign_pdf(writer, output=outgoing)
    partial.replace(target)
    return target
