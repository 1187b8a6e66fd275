"""Certificates and keys for CEB message signatures: SM2 (国密) through tongsuopy, RSA through
`cryptography`.

`cryptography` parses SM2 certificates but cannot give their public key, so the
SubjectPublicKeyInfo is cut out with asn1crypto and handed to tongsuopy. Parsed certificates are
cached by their DER bytes: the same few enterprise certificates sign millions of messages.
"""

from __future__ import annotations

import base64
import functools
import hashlib
from dataclasses import dataclass
from typing import Literal

import asn1crypto.x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature as RsaInvalidSignature
from cryptography.hazmat.primitives import hashes as rsa_hashes
from cryptography.hazmat.primitives import serialization as rsa_serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from tongsuopy.crypto import hashes as sm_hashes
from tongsuopy.crypto import serialization as sm_serialization
from tongsuopy.crypto.asymciphers import ec as sm_ec
from tongsuopy.crypto.exceptions import InternalError as SmInternalError
from tongsuopy.crypto.exceptions import InvalidSignature as SmInvalidSignature

from singlewindow.kit.errors import DomainError, Problem

KeyKind = Literal["sm2", "rsa"]

_EC_PUBLIC_KEY = "1.2.840.10045.2.1"
_SM2_CURVE = "1.2.156.10197.1.301"
_RSA = "1.2.840.113549.1.1.1"
_PEM_CERT = b"-----BEGIN CERTIFICATE-----"
SM2_RAW_LENGTH = 64


class SigningRefused(DomainError):
    """Refused before any verdict: an unusable key or certificate, or a document that cannot be
    signed (already signed, unknown message, unsupported encoding)."""


def _refused(code: str, zh: str, en: str) -> SigningRefused:
    return SigningRefused([Problem(code, zh, en, path="/")])


@dataclass(frozen=True, slots=True)
class CertificateInfo:
    """One parsed X.509 certificate and its public key, ready to verify."""

    der: bytes
    serial_hex: str
    subject: str
    kind: KeyKind
    public_key: object

    @property
    def base64(self) -> str:
        return base64.b64encode(self.der).decode("ascii")


@dataclass(frozen=True, slots=True)
class Signer:
    """A private key with its certificate. Build it with `load_signer`."""

    kind: KeyKind
    private_key: object
    certificate: CertificateInfo


def serial_hex(serial: int) -> str:
    # KeyName carries the certificate number as hex of whole bytes, e.g. `03000000000cde6f`
    # in the E-Port signing service's responses (SPEC §1.3).
    text = f"{serial:x}"
    return text if len(text) % 2 == 0 else "0" + text


def certificate_der(cert_pem_or_der: bytes) -> bytes:
    """DER bytes of a certificate given as PEM or DER; raises ValueError when it is neither."""
    data = cert_pem_or_der.strip()
    if data.startswith(_PEM_CERT):
        return x509.load_pem_x509_certificate(data).public_bytes(rsa_serialization.Encoding.DER)
    return bytes(cert_pem_or_der)


def certificate_fingerprint(cert_pem_or_der: bytes) -> str:
    """SHA-256 hex of the certificate's DER bytes, for matching a certificate filed (备案)."""
    return hashlib.sha256(certificate_der(cert_pem_or_der)).hexdigest()


@functools.lru_cache(maxsize=1024)
def load_certificate(der: bytes) -> CertificateInfo:
    """Parse a DER certificate once; raises ValueError for anything unusable."""
    try:
        cert = x509.load_der_x509_certificate(der)
        spki = asn1crypto.x509.Certificate.load(der)["tbs_certificate"]["subject_public_key_info"]
        algorithm = spki["algorithm"]["algorithm"].dotted
        subject = cert.subject.rfc4514_string()
        serial = serial_hex(cert.serial_number)
    except Exception as exc:  # any parser failure means "not a usable certificate"
        raise ValueError(f"not a usable X.509 certificate: {exc}") from None
    if algorithm == _RSA:
        return CertificateInfo(der, serial, subject, "rsa", cert.public_key())
    if algorithm == _EC_PUBLIC_KEY:
        params = spki["algorithm"]["parameters"]
        curve = params.chosen.dotted if params.name == "named" else ""
        if curve == _SM2_CURVE:
            public_key = sm_serialization.load_der_public_key(spki.dump())
            return CertificateInfo(der, serial, subject, "sm2", public_key)
    raise ValueError(f"certificate key algorithm {algorithm} is neither RSA nor SM2")


def load_signer(key_pem: bytes, cert_pem: bytes, password: bytes | None = None) -> Signer:
    """Pair a PEM private key (PKCS#8 or traditional) with its certificate; checks they match."""
    try:
        cert = load_certificate(certificate_der(cert_pem))
    except ValueError as exc:
        raise _refused(
            "signature.bad_certificate", "签名证书无法读取", f"signing certificate unusable: {exc}"
        ) from None
    try:
        if cert.kind == "sm2":
            key: object = sm_serialization.load_pem_private_key(key_pem, password)
            matches = _sm2_public_numbers(key) == cert.public_key.public_numbers()  # type: ignore[attr-defined]
        else:
            key = rsa_serialization.load_pem_private_key(key_pem, password)
            matches = isinstance(key, rsa.RSAPrivateKey) and (
                key.public_key().public_numbers() == cert.public_key.public_numbers()  # type: ignore[attr-defined]
            )
    except Exception as exc:  # wrong password, wrong format, wrong curve
        raise _refused(
            "signature.bad_key", "签名私钥无法读取", f"private key unusable: {exc}"
        ) from None
    if not matches:
        raise _refused(
            "signature.key_mismatch",
            "私钥与证书不匹配",
            "the private key does not belong to the certificate",
        )
    return Signer(cert.kind, key, cert)


def _sm2_public_numbers(key: object) -> object:
    return key.public_key().public_numbers()  # type: ignore[attr-defined]


def sign_bytes(signer: Signer, data: bytes, rsa_hash: str) -> bytes:
    """SignatureValue bytes over `data`: raw r‖s for SM2 (user ID 1234567812345678), PKCS#1 v1.5
    for RSA with `rsa_hash` ("sha1" or "sha256")."""
    if signer.kind == "sm2":
        der = signer.private_key.sign(data, sm_ec.ECDSA(sm_hashes.SM3()))  # type: ignore[attr-defined]
        r, s = decode_dss_signature(der)
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")
    return signer.private_key.sign(data, padding.PKCS1v15(), _rsa_hash(rsa_hash))  # type: ignore[attr-defined,no-any-return]


def verify_bytes(cert: CertificateInfo, value: bytes, data: bytes, rsa_hash: str) -> bool:
    """True when `value` signs `data` under the certificate's key. SM2 values may be raw r‖s
    (what the E-Port key writes) or DER."""
    if cert.kind == "sm2":
        if len(value) == SM2_RAW_LENGTH:
            der = encode_dss_signature(
                int.from_bytes(value[:32], "big"), int.from_bytes(value[32:], "big")
            )
        else:
            der = value
        try:
            cert.public_key.verify(der, data, sm_ec.ECDSA(sm_hashes.SM3()))  # type: ignore[attr-defined]
        except (SmInvalidSignature, SmInternalError, ValueError):
            # Tongsuo reports undecodable DER as an internal error, not a bad signature.
            return False
        return True
    try:
        cert.public_key.verify(value, data, padding.PKCS1v15(), _rsa_hash(rsa_hash))  # type: ignore[attr-defined]
    except (RsaInvalidSignature, ValueError):
        return False
    return True


def _rsa_hash(name: str) -> rsa_hashes.HashAlgorithm:
    # rsa-sha1 is still one of the standard's two methods (SPEC22 §6), so SHA-1 stays accepted.
    return rsa_hashes.SHA256() if name == "sha256" else rsa_hashes.SHA1()  # noqa: S303
