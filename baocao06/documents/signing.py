"""Signing a PDF on the server with the organisation's certificate (the second road to a signed copy).

The certificate is a PKCS#12 file whose path and passphrase come from the environment
(`BAOCAO06_SIGNING_PKCS12`, `BAOCAO06_SIGNING_PKCS12_PASSPHRASE`). A hardware module (PKCS#11) plugs in
at `organisation_signer`: pyHanko's `pyhanko.sign.pkcs11.PKCS11Signer` with the module path, token label
and key label (it needs the `python-pkcs11` package, not installed by default; docs/operations.md).
The signature is PAdES (ETSI.CAdES.detached) over the whole file, added as an incremental update, so the
PDF/A file stays as it was made.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from .signatures import SignatureRefused


def server_signing_configured() -> bool:
    return bool(getattr(settings, "BAOCAO06_SIGNING_PKCS12", ""))


def organisation_signer():
    from pyhanko.sign import signers

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
