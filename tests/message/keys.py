"""Keys, certificates and documents for the signing tests. Made once per process.

RSA keys come from `cryptography`; SM2 keys and self-signed SM2-with-SM3 certificates from the
`openssl` command (OpenSSL 3), as a customs CA would issue them.
"""

from __future__ import annotations

import base64
import datetime
import functools
import hashlib
import re
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa as rsa_keys
from cryptography.x509.oid import NameOID
from lxml import etree
from tongsuopy.crypto import serialization as sm_serialization

from singlewindow.message.signing import load_signer, sign_document

# The official samples, shared with the codec tests (sources: tests/data/samples/SOURCES.md).
DATA = Path(__file__).resolve().parent.parent / "data" / "samples"
DS = "http://www.w3.org/2000/09/xmldsig#"
C14N = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
_PLACEHOLDER = re.compile(rb"<ds:Signature\b.*?</ds:Signature>", re.S)


@dataclass(frozen=True)
class KeyPair:
    key_pem: bytes
    cert_pem: bytes
    cert_der: bytes
    serial_hex: str
    subject: str
    private_hex: str = ""  # SM2 only: d, and x‖y of the public key, for gmssl
    public_hex: str = ""


@functools.cache
def rsa_pair(cn: str, serial: int) -> KeyPair:
    key = rsa_keys.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    start = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(start)
        .not_valid_after(start + datetime.timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    der = cert.public_bytes(serialization.Encoding.DER)
    return KeyPair(
        key_pem,
        cert.public_bytes(serialization.Encoding.PEM),
        der,
        f"{serial:x}",  # tests pick serials of whole bytes
        f"CN={cn}",
    )


@functools.cache
def sm2_pair(cn: str, serial: str) -> KeyPair:
    """An SM2 key and self-signed certificate; `serial` is hex, e.g. "03000000000cde6f"."""
    with tempfile.TemporaryDirectory() as tmp:
        key_path, cert_path = Path(tmp, "k.pem"), Path(tmp, "c.pem")
        for _ in range(50):
            subprocess.run(
                ["openssl", "genpkey", "-algorithm", "SM2", "-out", str(key_path)],
                check=True,
                capture_output=True,
            )
            key = sm_serialization.load_pem_private_key(key_path.read_bytes(), None)
            numbers = key.public_key().public_numbers()
            public_hex = f"{numbers.x:064x}{numbers.y:064x}"
            # gmssl strips a leading "04" from a public key as if it were the point prefix.
            if not public_hex.startswith("04"):
                break
        subprocess.run(
            [
                "openssl",
                "req",
                "-new",
                "-x509",
                "-key",
                str(key_path),
                "-sm3",
                "-subj",
                f"/CN={cn}",
                "-days",
                "3650",
                "-set_serial",
                f"0x{serial}",
                "-out",
                str(cert_path),
            ],
            check=True,
            capture_output=True,
        )
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        return KeyPair(
            key_path.read_bytes(),
            cert_path.read_bytes(),
            cert.public_bytes(serialization.Encoding.DER),
            serial,
            f"CN={cn}",
            f"{key.private_numbers().private_value:064x}",
            public_hex,
        )


def sample(number: int) -> bytes:
    return (DATA / f"Weasley-J__chinaport-data-signature__CEB{number}Message.xml").read_bytes()


def unsigned(number: int) -> bytes:
    """The official sample with its placeholder signature cut out (whitespace around it kept)."""
    return _PLACEHOLDER.sub(b"", sample(number), count=1)


def with_extend_message(data: bytes, prefix: bytes = b"ceb:") -> bytes:
    """Adds an ExtendMessage as the last child of the root of an unsigned document."""
    end = data.rfind(b"</")
    block = (
        b"\t<%(p)sExtendMessage><%(p)sname>ext</%(p)sname><%(p)sversion>1.0</%(p)sversion>"
        b'<%(p)sMessage><x xmlns="urn:example">any</x></%(p)sMessage></%(p)sExtendMessage>\n'
    ) % {b"p": prefix}
    return data[:end] + block + data[end:]


def signature_bytes(signed: bytes) -> tuple[int, int]:
    """(start, end) of the ds:Signature element's bytes in a signed document."""
    start = signed.index(b"<ds:Signature")
    end = signed.index(b"</ds:Signature>") + len(b"</ds:Signature>")
    return start, end


def c14n(node: etree._Element | etree._ElementTree) -> bytes:
    return etree.tostring(node, method="c14n", exclusive=False, with_comments=False)


def hand_signed(
    data: bytes,
    signature_method: str,
    digest_method: str,
    digest: Callable[[bytes], bytes],
    sign: Callable[[bytes], bytes],
    cert_der: bytes,
) -> bytes:
    """An enveloped signature built independently of the code under test, with lxml: appended as
    the root's last child, the whole document re-serialised (as a foreign signer would)."""
    root = etree.fromstring(data)
    value_of_digest = base64.b64encode(digest(c14n(root.getroottree()))).decode()
    sig = etree.SubElement(root, f"{{{DS}}}Signature", nsmap={"ds": DS})
    info = etree.SubElement(sig, f"{{{DS}}}SignedInfo")
    etree.SubElement(info, f"{{{DS}}}CanonicalizationMethod", Algorithm=C14N)
    etree.SubElement(info, f"{{{DS}}}SignatureMethod", Algorithm=signature_method)
    ref = etree.SubElement(info, f"{{{DS}}}Reference", URI="")
    transforms = etree.SubElement(ref, f"{{{DS}}}Transforms")
    etree.SubElement(transforms, f"{{{DS}}}Transform", Algorithm=ENVELOPED)
    etree.SubElement(ref, f"{{{DS}}}DigestMethod", Algorithm=digest_method)
    etree.SubElement(ref, f"{{{DS}}}DigestValue").text = value_of_digest
    value = etree.SubElement(sig, f"{{{DS}}}SignatureValue")
    key_info = etree.SubElement(sig, f"{{{DS}}}KeyInfo")
    etree.SubElement(key_info, f"{{{DS}}}KeyName").text = "0001"
    x509_data = etree.SubElement(key_info, f"{{{DS}}}X509Data")
    etree.SubElement(x509_data, f"{{{DS}}}X509Certificate").text = base64.b64encode(
        cert_der
    ).decode()
    value.text = base64.b64encode(sign(c14n(info))).decode()
    return etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8")


def sm3(data: bytes) -> bytes:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize()


def sha1(data: bytes) -> bytes:
    return hashlib.sha1(data).digest()


# The parties of the tests: an enterprise's SM2 and RSA keys, and someone else's.
def sm2() -> KeyPair:
    return sm2_pair("ebp-sm2", "03000000000cde6f")


def sm2_other() -> KeyPair:
    return sm2_pair("other-sm2", "0a0b")


def rsa() -> KeyPair:
    return rsa_pair("ebp-rsa", 0x3039)


def rsa_other() -> KeyPair:
    return rsa_pair("other-rsa", 0x1234)


def sign(data: bytes, pair: KeyPair, algorithm: str | None = None) -> bytes:
    return sign_document(data, load_signer(pair.key_pem, pair.cert_pem), algorithm)
