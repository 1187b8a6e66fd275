"""Enveloped XML-DSig inside the CEB root (SPEC22 §6): sign keeping every input byte, and verify.

C14N is inclusive 20010315, `Reference URI=""` with the enveloped-signature transform, KeyInfo =
KeyName (certificate number) + X509Certificate. Signing computes the reference digest over the
parsed document, splices the `ds:Signature` text into the ORIGINAL bytes at its schema place, parses
the result once more and signs the SignedInfo as it stands there — so the SignedInfo is
canonicalised with exactly the ancestor namespace declarations a verifier will see.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import re
from dataclasses import dataclass, field
from typing import Final

from cryptography.hazmat.primitives import hashes as crypto_hashes
from lxml import etree

from singlewindow.kit.errors import Problem
from singlewindow.message.signing_keys import (
    CertificateInfo,
    Signer,
    SigningRefused,
    certificate_der,
    certificate_fingerprint,
    load_certificate,
    load_signer,
    sign_bytes,
    verify_bytes,
)
from singlewindow.message.xmlsafe import parse_bytes

__all__ = [
    "ALGORITHMS",
    "Signer",
    "SigningRefused",
    "Verification",
    "certificate_fingerprint",
    "load_signer",
    "sign_document",
    "verify_document",
    "verify_tree",
]

DS: Final = "http://www.w3.org/2000/09/xmldsig#"
C14N: Final = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
ENVELOPED: Final = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
SM2_SM3_2022: Final = "http://www.chinaport.gov.cn/2022/04/xmldsig#sm2-sm3"
SM2_SM3_W3: Final = "http://www.w3.org/2000/09/xmldsig#sm2-sm3"  # what the E-Port key writes
RSA_SHA1: Final = "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
RSA_SHA256: Final = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
SM3_2022: Final = "http://www.chinaport.gov.cn/2022/04/xmldsig#sm3"
SHA1: Final = "http://www.w3.org/2000/09/xmldsig#sha1"
SHA256: Final = "http://www.w3.org/2001/04/xmlenc#sha256"

# name -> (SignatureMethod, DigestMethod, key kind) used when signing.
ALGORITHMS: Final = {
    "sm2-sm3": (SM2_SM3_2022, SM3_2022, "sm2"),
    "rsa-sha1": (RSA_SHA1, SHA1, "rsa"),
    "rsa-sha256": (RSA_SHA256, SHA256, "rsa"),
}
# SignatureMethod -> (name, key kind, RSA hash). Both SM2 dialects are accepted (SPEC §1.3).
_SIGNATURE_METHODS: Final = {
    SM2_SM3_2022: ("sm2-sm3", "sm2", ""),
    SM2_SM3_W3: ("sm2-sm3", "sm2", ""),
    RSA_SHA1: ("rsa-sha1", "rsa", "sha1"),
    RSA_SHA256: ("rsa-sha256", "rsa", "sha256"),
}
_DIGEST_METHODS: Final = frozenset({SM3_2022, SHA1, SHA256})

# Root child order differs (XSD-I vs XSD-E): import puts Signature after ExtendMessage, export
# before it. Import = CEB311–326, 411/412, 511–514, 621–626, 711/712, 816, 818, 900.
_IMPORT_TYPES: Final = frozenset(
    [*range(311, 327), 411, 412, *range(511, 515), *range(621, 627), 711, 712, 816, 818, 900]
)
_ROOT_NAME = re.compile(r"CEB(\d{3})Message")
_SIG = f"{{{DS}}}Signature"
_UNSUPPORTED_ENCODINGS = ("UTF-16", "UTF-32", "UCS-2", "UCS-4", "UTF16", "UTF32")

_REASONS: Final = {
    "signature.valid": ("签名有效", "signature is valid"),
    "signature.missing": ("报文没有签名", "the document carries no signature"),
    "signature.digest_mismatch": (
        "报文摘要不符，签名后内容被改动",
        "digest mismatch: the document was changed after signing",
    ),
    "signature.bad_value": ("签名值校验失败", "the signature value does not verify"),
    "signature.wrong_certificate": (
        "签名不是由该证书生成",
        "the signature was not made with this certificate",
    ),
    "signature.unsupported_algorithm": ("不支持的签名算法", "unsupported signature algorithm"),
    "signature.malformed": ("签名节点格式错误", "malformed signature element"),
    "signature.not_canonicalisable": (
        "报文无法规范化（C14N），签名无法验证",
        "the document cannot be canonicalised (C14N), so no signature over it can verify",
    ),
}


@dataclass(frozen=True, slots=True)
class Verification:
    """The verdict on one document's signature, with a stable reason code."""

    valid: bool
    algorithm: str
    reason_code: str
    reason_zh: str
    reason_en: str
    cert_serial: str = ""
    cert_subject: str = ""
    cert_der: bytes | None = field(default=None, repr=False)

    def as_dict(self) -> dict[str, object]:
        return {
            "valid": self.valid,
            "algorithm": self.algorithm,
            "reason_code": self.reason_code,
            "reason_zh": self.reason_zh,
            "reason_en": self.reason_en,
            "cert_serial": self.cert_serial,
            "cert_subject": self.cert_subject,
        }


def _verdict(
    code: str, algorithm: str = "", cert: CertificateInfo | None = None, detail: str = ""
) -> Verification:
    zh, en = _REASONS[code]
    return Verification(
        valid=code == "signature.valid",
        algorithm=algorithm,
        reason_code=code,
        reason_zh=zh,
        reason_en=f"{en} ({detail})" if detail else en,
        cert_serial=cert.serial_hex if cert else "",
        cert_subject=cert.subject if cert else "",
        cert_der=cert.der if cert else None,
    )


def _refused(code: str, zh: str, en: str) -> SigningRefused:
    return SigningRefused([Problem(code, zh, en, path="/")])


def _digest(method: str, data: bytes) -> bytes:
    if method == SM3_2022:
        h = crypto_hashes.Hash(crypto_hashes.SM3())
        h.update(data)
        return h.finalize()
    if method == SHA256:
        return hashlib.sha256(data).digest()
    # SHA-1 is what the standard's rsa-sha1 and the E-Port key's SM2 dialect use (SPEC §1.3).
    return hashlib.sha1(data).digest()  # noqa: S324


def _c14n(node: etree._Element | etree._ElementTree) -> bytes:
    return etree.tostring(node, method="c14n", exclusive=False, with_comments=False)


def _enveloped_c14n(root: etree._Element, sig: etree._Element) -> bytes:
    """C14N of the whole document with `sig` taken out (the enveloped-signature transform).

    The element is detached and put back, which is far cheaper than copying the tree. Its tail
    text stays in the document, as the transform removes only the element node.
    """
    parent = sig.getparent()
    assert parent is not None
    index = parent.index(sig)
    tail, prev = sig.tail, sig.getprevious()
    old = prev.tail if prev is not None else parent.text
    if tail:
        if prev is not None:
            prev.tail = (old or "") + tail
        else:
            parent.text = (old or "") + tail
    parent.remove(sig)
    try:
        return _c14n(root.getroottree())
    finally:
        if tail:
            if prev is not None:
                prev.tail = old
            else:
                parent.text = old
        parent.insert(index, sig)
        sig.tail = tail


def _signature_template(
    method: str, digest_method: str, digest: bytes, cert: CertificateInfo
) -> tuple[bytes, int]:
    """The ds:Signature text with an empty SignatureValue, and the offset where its value goes.

    Every value in it is a fixed URI, hex or base64, so no XML escaping is needed.
    """
    head = (
        f'<ds:Signature xmlns:ds="{DS}">\n<ds:SignedInfo>\n'
        f'<ds:CanonicalizationMethod Algorithm="{C14N}"></ds:CanonicalizationMethod>\n'
        f'<ds:SignatureMethod Algorithm="{method}"></ds:SignatureMethod>\n'
        f'<ds:Reference URI="">\n<ds:Transforms>\n'
        f'<ds:Transform Algorithm="{ENVELOPED}"></ds:Transform>\n</ds:Transforms>\n'
        f'<ds:DigestMethod Algorithm="{digest_method}"></ds:DigestMethod>\n'
        f"<ds:DigestValue>{base64.b64encode(digest).decode('ascii')}</ds:DigestValue>\n"
        f"</ds:Reference>\n</ds:SignedInfo>\n<ds:SignatureValue>"
    ).encode("ascii")
    tail = (
        f"</ds:SignatureValue>\n<ds:KeyInfo>\n<ds:KeyName>{cert.serial_hex}</ds:KeyName>\n"
        f"<ds:X509Data>\n<ds:X509Certificate>{cert.base64}</ds:X509Certificate>\n"
        f"</ds:X509Data>\n</ds:KeyInfo>\n</ds:Signature>"
    ).encode("ascii")
    return head + tail, len(head)


def _qname(el: etree._Element) -> bytes:
    local = etree.QName(el).localname
    return (f"{el.prefix}:{local}" if el.prefix else local).encode("utf-8")


def _splice_offset(data: bytes, root: etree._Element) -> tuple[int, int]:
    """(byte offset where ds:Signature goes, index among the root's children it will take)."""
    match = _ROOT_NAME.fullmatch(etree.QName(root).localname)
    if match is None:
        raise _refused(
            "signature.unknown_message",
            "根节点不是 CEBxxxMessage，无法确定签名位置",
            "the root is not a CEBxxxMessage; the signature's place is unknown",
        )
    children = list(root)
    extend = [
        c
        for c in children
        if isinstance(c.tag, str) and etree.QName(c).localname == "ExtendMessage"
    ]
    if extend and int(match.group(1)) not in _IMPORT_TYPES:
        # Export schema: … BaseSubscribe* → Signature → ExtendMessage?
        target = extend[0]
        # The n-th start tag of that name in the text is the n-th such element; a lookalike in a
        # comment or CDATA shifts this, which the re-parse in sign_document catches.
        ordinal = list(root.iter(target.tag)).index(target)
        starts = [
            m.start() for m in re.finditer(b"<" + re.escape(_qname(target)) + rb"[\s/>]", data)
        ]
        if ordinal >= len(starts):
            raise _splice_failed()
        return starts[ordinal], children.index(target)
    end = data.rfind(b"</" + _qname(root))
    if end < 0:
        raise _splice_failed()
    return end, len(children)


def _splice_failed() -> SigningRefused:
    return _refused(
        "signature.splice_failed",
        "无法在原报文中定位签名插入位置",
        "could not place the signature in the original bytes",
    )


def sign_document(data: bytes, signer: Signer, algorithm: str | None = None) -> bytes:
    """Insert an enveloped `ds:Signature` at its schema place; every input byte is kept.

    `algorithm` is "sm2-sm3", "rsa-sha1" or "rsa-sha256"; by default SM2 keys sign sm2-sm3 and RSA
    keys rsa-sha1. Raises SigningRefused (or the parser's HostileInput / Unparsable).
    """
    name = algorithm or ("sm2-sm3" if signer.kind == "sm2" else "rsa-sha1")
    if name not in ALGORITHMS:
        raise _refused(
            "signature.unsupported_algorithm",
            f"不支持的签名算法 {name}",
            f"unsupported signature algorithm {name}; use one of {', '.join(ALGORITHMS)}",
        )
    method, digest_method, kind = ALGORITHMS[name]
    if kind != signer.kind:
        raise _refused(
            "signature.key_algorithm_mismatch",
            f"{signer.kind.upper()} 密钥不能用于 {name} 签名",
            f"a {signer.kind.upper()} key cannot make a {name} signature",
        )
    root = parse_bytes(data)
    encoding = (root.getroottree().docinfo.encoding or "UTF-8").upper()
    if encoding.startswith(_UNSUPPORTED_ENCODINGS):
        raise _refused(
            "signature.unsupported_encoding",
            f"不支持对 {encoding} 编码的报文签名",
            f"documents encoded in {encoding} cannot be signed here; use UTF-8",
        )
    if next(root.iter(_SIG), None) is not None:
        raise _refused(
            "signature.already_signed",
            "报文已有签名，拒绝重复签名",
            "the document is already signed",
        )
    try:
        digest = _digest(digest_method, _c14n(root.getroottree()))
    except etree.C14NError as exc:
        raise _refused(
            "signature.not_canonicalisable",
            "报文无法规范化（C14N），不能签名",
            f"the document cannot be canonicalised (C14N), so it cannot be signed: {exc}",
        ) from None
    template, value_at = _signature_template(method, digest_method, digest, signer.certificate)
    offset, index = _splice_offset(data, root)
    spliced = data[:offset] + template + data[offset:]
    # Parse what we made: proves the splice put the element where the schema wants it, and gives
    # the SignedInfo its real namespace context for inclusive C14N.
    placed = parse_bytes(spliced)
    sig = placed[index] if index < len(placed) else None
    if sig is None or sig.tag != _SIG or sum(1 for _ in placed.iter(_SIG)) != 1:
        raise _splice_failed()
    value = sign_bytes(signer, _c14n(sig[0]), _SIGNATURE_METHODS[method][2])
    cut = offset + value_at
    return spliced[:cut] + base64.b64encode(value) + spliced[cut:]


def verify_document(data: bytes, cert_pem: bytes | None = None) -> Verification:
    """Parse (hardened) and verify. Hostile or unparsable bytes raise the parser's errors; an
    unusable `cert_pem` (PEM or DER) raises SigningRefused `signature.bad_certificate`."""
    cert_der = None
    if cert_pem is not None:
        try:
            cert_der = load_certificate(certificate_der(cert_pem)).der
        except ValueError as exc:
            raise _refused(
                "signature.bad_certificate", "验签证书无法读取", f"certificate unusable: {exc}"
            ) from None
    return verify_tree(parse_bytes(data), cert_der)


def verify_tree(root: etree._Element, cert_der: bytes | None = None) -> Verification:
    """Verify the signature of an already parsed document (its root element).

    With `cert_der` the signature must verify under that certificate; otherwise the certificate in
    KeyInfo is used. The tree is left as it was.
    """
    found = [c for c in root if c.tag == _SIG]
    if not found:
        if next(root.iter(_SIG), None) is not None:
            return _verdict("signature.malformed", detail="ds:Signature is not a child of the root")
        return _verdict("signature.missing")
    if len(found) > 1 or sum(1 for _ in root.iter(_SIG)) > 1:
        return _verdict("signature.malformed", detail="more than one ds:Signature")
    sig = found[0]
    parts = _read_signature(sig)
    if isinstance(parts, Verification):
        return parts
    method, digest_method, digest_value, value, embedded = parts
    name, kind, rsa_hash = _SIGNATURE_METHODS[method]
    try:
        cert = load_certificate(cert_der if cert_der is not None else embedded or b"")
    except ValueError as exc:
        return _verdict("signature.malformed", name, detail=str(exc))
    try:  # a relative namespace URI, e.g. xmlns:x="a/b", is well-formed XML but has no C14N
        content, signed_info = _enveloped_c14n(root, sig), _c14n(sig[0])
    except etree.C14NError as exc:
        return _verdict("signature.not_canonicalisable", name, cert, detail=str(exc))
    expected = _digest(digest_method, content)
    if not hmac.compare_digest(expected, digest_value):
        return _verdict("signature.digest_mismatch", name, cert)
    other_cert = cert_der is not None and embedded is not None and embedded != cert_der
    if cert.kind != kind:
        return _verdict("signature.wrong_certificate", name, cert, f"{cert.kind} key for {name}")
    if not verify_bytes(cert, value, signed_info, rsa_hash):
        return _verdict(
            "signature.wrong_certificate" if other_cert else "signature.bad_value", name, cert
        )
    return _verdict("signature.valid", name, cert)


_SignatureParts = tuple[str, str, bytes, bytes, bytes | None]
_SIGNED_INFO, _SIGNATURE_VALUE, _KEY_INFO = (
    f"{{{DS}}}{n}" for n in ("SignedInfo", "SignatureValue", "KeyInfo")
)
_C14N_METHOD, _SIGNATURE_METHOD, _REFERENCE = (
    f"{{{DS}}}{n}" for n in ("CanonicalizationMethod", "SignatureMethod", "Reference")
)
_TRANSFORMS, _DIGEST_METHOD, _DIGEST_VALUE = (
    f"{{{DS}}}{n}" for n in ("Transforms", "DigestMethod", "DigestValue")
)
_CERTIFICATE_PATH = f"{{{DS}}}X509Data/{{{DS}}}X509Certificate"


def _children(parent: etree._Element) -> dict[object, list[etree._Element]]:
    # One pass over the children instead of a findall per name: this runs on every message.
    found: dict[object, list[etree._Element]] = {}
    for child in parent:
        found.setdefault(child.tag, []).append(child)
    return found


def _one(children: dict[object, list[etree._Element]], tag: str) -> etree._Element | None:
    hits = children.get(tag)
    return hits[0] if hits is not None and len(hits) == 1 else None


def _base64(el: etree._Element) -> bytes:
    return _decode_base64(_text(el))


def _text(el: etree._Element) -> str:
    """The element's character content as canonical XML has it: comments and processing
    instructions inside leave their surrounding text joined (`<DigestValue><!--c-->abc` is
    `abc`, not the empty text before the comment). An element inside is malformed."""
    if len(el) == 0:
        return el.text or ""
    parts = [el.text or ""]
    for child in el:
        if isinstance(child.tag, str):
            raise ValueError(f"element {child.tag} inside {el.tag}")
        parts.append(child.tail or "")
    return "".join(parts)


def _decode_base64(text: str) -> bytes:
    return base64.b64decode("".join(text.split()), validate=True)


# The same few certificates come with every message of their sender: decoded once each.
_certificate_bytes = functools.lru_cache(maxsize=1024)(_decode_base64)


def _read_signature(sig: etree._Element) -> _SignatureParts | Verification:
    """Check the Signature's shape and algorithms; return its parts or a failing verdict."""
    parts = _children(sig)
    signed_info = _one(parts, _SIGNED_INFO)
    if signed_info is None or sig[0] is not signed_info:
        return _verdict("signature.malformed", detail="SignedInfo must come first, once")
    info = _children(signed_info)
    c14n_el = _one(info, _C14N_METHOD)
    method_el = _one(info, _SIGNATURE_METHOD)
    ref = _one(info, _REFERENCE)
    if c14n_el is None or method_el is None or ref is None:
        return _verdict(
            "signature.malformed",
            detail="SignedInfo needs one CanonicalizationMethod, SignatureMethod, Reference",
        )
    method = method_el.get("Algorithm", "")
    if method not in _SIGNATURE_METHODS:
        return _verdict(
            "signature.unsupported_algorithm", method, detail=f"SignatureMethod {method}"
        )
    name = _SIGNATURE_METHODS[method][0]
    if c14n_el.get("Algorithm") != C14N:
        return _verdict(
            "signature.unsupported_algorithm",
            name,
            detail=f"CanonicalizationMethod {c14n_el.get('Algorithm')}",
        )
    if ref.get("URI") != "":
        return _verdict(
            "signature.unsupported_algorithm",
            name,
            detail='only Reference URI="" (the whole document) is accepted',
        )
    in_ref = _children(ref)
    transforms_el = _one(in_ref, _TRANSFORMS)
    transforms = [t.get("Algorithm") for t in transforms_el] if transforms_el is not None else []
    if transforms not in ([ENVELOPED], [ENVELOPED, C14N]):
        return _verdict("signature.unsupported_algorithm", name, detail=f"Transforms {transforms}")
    digest_el, digest_value_el = _one(in_ref, _DIGEST_METHOD), _one(in_ref, _DIGEST_VALUE)
    value_el = _one(parts, _SIGNATURE_VALUE)
    if digest_el is None or digest_value_el is None or value_el is None:
        return _verdict("signature.malformed", name, detail="missing DigestValue or SignatureValue")
    digest_method = digest_el.get("Algorithm", "")
    if digest_method not in _DIGEST_METHODS:
        return _verdict(
            "signature.unsupported_algorithm", name, detail=f"DigestMethod {digest_method}"
        )
    key_info = _one(parts, _KEY_INFO)
    cert_el = key_info.find(_CERTIFICATE_PATH) if key_info is not None else None
    try:
        embedded = _certificate_bytes(_text(cert_el)) if cert_el is not None else None
        return method, digest_method, _base64(digest_value_el), _base64(value_el), embedded
    except (binascii.Error, ValueError):
        return _verdict("signature.malformed", name, detail="invalid base64")
