"""A test certification authority made inside the tests with `cryptography`, and signing with it.

`TestCA()` writes a root, a signer certificate (valid now), an expired signer and a signer under
another, untrusted root into a temporary folder as PEM; `sign(pdf, who)` signs a PDF with pyHanko as a
person's token would (PAdES, incremental update).
"""

from __future__ import annotations

import datetime as dt
import io
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


def _name(common: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Thử nghiệm baocao06"),
            x509.NameAttribute(NameOID.COMMON_NAME, common),
        ]
    )


def _cert(subject, issuer, key, issuer_key, *, ca: bool, start, end) -> x509.Certificate:
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False)
    )
    if ca:
        usage = x509.KeyUsage(False, False, False, False, False, True, True, False, False)
    else:
        usage = x509.KeyUsage(True, True, False, False, False, False, False, False, False)
        builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
    builder = builder.add_extension(usage, critical=True)
    return builder.sign(issuer_key, hashes.SHA256())


class Identity:
    def __init__(self, folder: Path, name: str, cert, key, chain):
        self.cert, self.key, self.chain = cert, key, chain
        self.cert_path = folder / f"{name}.pem"
        self.key_path = folder / f"{name}.key"
        self.cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        self.key_path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )

    def pkcs12(self, path: Path, passphrase: bytes) -> Path:
        path.write_bytes(
            pkcs12.serialize_key_and_certificates(
                b"co-quan", self.key, self.cert, self.chain, serialization.BestAvailableEncryption(passphrase)
            )
        )
        return path

    def signer(self):
        from pyhanko.keys import load_cert_from_pemder, load_private_key_from_pemder
        from pyhanko.sign import signers
        from pyhanko_certvalidator.registry import SimpleCertificateStore

        chain = []
        for index, cert in enumerate(self.chain):
            path = self.cert_path.with_name(f"{self.cert_path.stem}-chain{index}.pem")
            path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
            chain.append(load_cert_from_pemder(str(path)))
        return signers.SimpleSigner(
            signing_cert=load_cert_from_pemder(str(self.cert_path)),
            signing_key=load_private_key_from_pemder(str(self.key_path), passphrase=None),
            cert_registry=SimpleCertificateStore.from_certs(chain),
        )


class TestCA:
    __test__ = False  # a helper, not a test class
    """A root, and under it `signer` (valid) and `expired`; `stranger` is signed by another root."""

    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="baocao06-ca-"))
        now = dt.datetime.now(dt.UTC)
        root_key, other_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
        root = _cert("Root CA thử nghiệm", "Root CA thử nghiệm", root_key, root_key, ca=True,
                     start=now - dt.timedelta(days=3650), end=now + dt.timedelta(days=3650))  # fmt: skip
        other = _cert("Root CA lạ", "Root CA lạ", other_key, other_key, ca=True,
                      start=now - dt.timedelta(days=3650), end=now + dt.timedelta(days=3650))  # fmt: skip
        self.root = Identity(self.folder, "root", root, root_key, [])
        self.other_root = Identity(self.folder, "other-root", other, other_key, [])

        def person(name, issuer, issuer_key, chain, start, end):
            key = ec.generate_private_key(ec.SECP256R1())
            cert = _cert(name, issuer, key, issuer_key, ca=False, start=start, end=end)
            return Identity(self.folder, name.replace(" ", "-"), cert, key, chain)

        self.signer = person("Nguyen Van Ky", "Root CA thử nghiệm", root_key, [root],
                             now - dt.timedelta(days=30), now + dt.timedelta(days=365))  # fmt: skip
        self.expired = person("Tran Thi Het Han", "Root CA thử nghiệm", root_key, [root],
                              now - dt.timedelta(days=800), now - dt.timedelta(days=400))  # fmt: skip
        self.stranger = person("Le Van La", "Root CA lạ", other_key, [other],
                               now - dt.timedelta(days=30), now + dt.timedelta(days=365))  # fmt: skip

    @property
    def trust_roots(self) -> list[str]:
        return [str(self.root.cert_path)]


def sign(pdf: bytes, who: Identity, *, field: str = "ChuKy") -> bytes:
    """`pdf` signed by `who` (PAdES B-B, incremental update), as the signer's token software does."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    def run() -> bytes:
        out = io.BytesIO()
        metadata = signers.PdfSignatureMetadata(
            field_name=field, md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES
        )
        signers.PdfSigner(metadata, signer=who.signer()).sign_pdf(
            IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False), output=out
        )
        return out.getvalue()

    # pyHanko's synchronous API runs its own event loop: off the thread of a browser test's loop.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()
