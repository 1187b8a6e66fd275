"""Signing and verifying CEB messages: algorithms, placement, byte preservation, failure reasons."""

from __future__ import annotations

import base64
import hashlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from tests.message.keys import (
    hand_signed,
    rsa,
    rsa_other,
    sample,
    sha1,
    sign,
    signature_bytes,
    sm2,
    sm2_other,
    sm3,
    unsigned,
    with_extend_message,
)
from tongsuopy.crypto import hashes as sm_hashes
from tongsuopy.crypto import serialization as sm_serialization
from tongsuopy.crypto.asymciphers import ec as sm_ec

from singlewindow.message.signing import (
    Verification,
    certificate_fingerprint,
    verify_document,
    verify_tree,
)
from singlewindow.message.xmlsafe import parse_bytes

DS = "http://www.w3.org/2000/09/xmldsig#"
SM2_2022 = "http://www.chinaport.gov.cn/2022/04/xmldsig#sm2-sm3"
SM3_2022 = "http://www.chinaport.gov.cn/2022/04/xmldsig#sm3"
SM2_W3 = "http://www.w3.org/2000/09/xmldsig#sm2-sm3"
SHA1_URI = "http://www.w3.org/2000/09/xmldsig#sha1"


def child_names(data: bytes) -> list[str]:
    return [etree.QName(c).localname for c in parse_bytes(data) if isinstance(c.tag, str)]


def reason(result: Verification) -> tuple[bool, str, str]:
    return result.valid, result.algorithm, result.reason_code


@pytest.mark.parametrize(
    ("pair", "algorithm", "method", "digest"),
    [
        pytest.param(sm2, "sm2-sm3", SM2_2022, SM3_2022, id="sm2_sm3_case"),
        pytest.param(
            rsa,
            "rsa-sha1",
            "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
            SHA1_URI,
            id="rsa_sha1_case",
        ),
        pytest.param(
            rsa,
            "rsa-sha256",
            "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
            "http://www.w3.org/2001/04/xmlenc#sha256",
            id="rsa_sha256_case",
        ),
    ],
)
def test_sign_then_verify_each_algorithm(pair, algorithm, method, digest) -> None:
    keys = pair()
    signed = sign(unsigned(621), keys, algorithm)
    root = parse_bytes(signed)
    sig = root[-1]
    assert sig.tag == f"{{{DS}}}Signature"
    assert sig.find(f"{{{DS}}}SignedInfo/{{{DS}}}SignatureMethod").get("Algorithm") == method
    assert sig.find(f".//{{{DS}}}DigestMethod").get("Algorithm") == digest
    assert sig.findtext(f"{{{DS}}}KeyInfo/{{{DS}}}KeyName") == keys.serial_hex
    cert_text = sig.findtext(f"{{{DS}}}KeyInfo/{{{DS}}}X509Data/{{{DS}}}X509Certificate")
    assert base64.b64decode(cert_text) == keys.cert_der
    assert verify_document(signed) == Verification(
        valid=True,
        algorithm=algorithm,
        reason_code="signature.valid",
        reason_zh="签名有效",
        reason_en="signature is valid",
        cert_serial=keys.serial_hex,
        cert_subject=keys.subject,
        cert_der=keys.cert_der,
    )
    assert reason(verify_document(signed, keys.cert_pem)) == (True, algorithm, "signature.valid")


@pytest.mark.parametrize(
    ("pair", "method"),
    [
        pytest.param(sm2, SM2_2022, id="sm2_key_defaults_to_sm2_sm3_case"),
        pytest.param(rsa, "http://www.w3.org/2000/09/xmldsig#rsa-sha1", id="rsa_default_case"),
    ],
)
def test_default_algorithm_follows_key_type(pair, method) -> None:
    signed = sign(unsigned(621), pair())
    assert f'<ds:SignatureMethod Algorithm="{method}">'.encode() in signed


def test_sm2_value_is_raw_r_s_of_64_bytes() -> None:
    root = parse_bytes(sign(unsigned(621), sm2()))
    assert len(base64.b64decode(root[-1].findtext(f"{{{DS}}}SignatureValue"))) == 64


@pytest.mark.parametrize(
    ("document", "expected_tail"),
    [
        pytest.param(lambda: unsigned(621), ["BaseTransfer", "Signature"], id="import_621_case"),
        pytest.param(
            lambda: with_extend_message(unsigned(621)),
            ["BaseTransfer", "ExtendMessage", "Signature"],
            id="import_621_extend_after_case",
        ),
        pytest.param(
            lambda: unsigned(311), ["BaseTransfer", "Signature"], id="import_311_bom_case"
        ),
        pytest.param(
            lambda: unsigned(303),
            ["BaseTransfer", "BaseTransfer", "Signature"],
            id="export_303_case",
        ),
        pytest.param(
            lambda: with_extend_message(unsigned(303)),
            ["BaseTransfer", "Signature", "ExtendMessage"],
            id="export_303_extend_before_case",
        ),
        pytest.param(
            lambda: unsigned(622),
            ["InventoryReturn", "Signature"],
            id="receipt_622_default_namespace_case",
        ),
        pytest.param(
            lambda: unsigned(621).replace(b"\n", b"\r\n"),
            ["BaseTransfer", "Signature"],
            id="crlf_line_endings_case",
        ),
        pytest.param(
            lambda: unsigned(621).replace(
                b"</ceb:CEB621Message>", b"<!-- end --><?pi x?></ceb:CEB621Message>\n<!-- after -->"
            ),
            ["BaseTransfer", "Signature"],
            id="comment_and_pi_around_root_end_case",
        ),
    ],
)
def test_signature_goes_to_its_schema_place_and_keeps_every_byte(document, expected_tail) -> None:
    data = document()
    for pair in (sm2, rsa):
        signed = sign(data, pair())
        assert child_names(signed)[-len(expected_tail) :] == expected_tail
        assert child_names(signed).count("Signature") == 1
        start, end = signature_bytes(signed)
        assert signed[:start] + signed[end:] == data
        assert reason(verify_document(signed))[2] == "signature.valid"


def test_bom_is_kept() -> None:
    data = unsigned(311)
    assert data.startswith(b"\xef\xbb\xbf")
    assert sign(data, sm2()).startswith(b"\xef\xbb\xbf<?xml")


@pytest.mark.parametrize(
    ("old", "new"),
    [
        pytest.param(
            b"order2016030811340008<", b"order2016030811340009<", id="text_digit_changed_case"
        ),
        pytest.param(b'version="1.0"\n', b'version="1.1"\n', id="root_attribute_case"),
        pytest.param(b"<ceb:Inventory>", b"<ceb:Inventory><ceb:x/>", id="element_added_case"),
        pytest.param(b"\t</ceb:BaseTransfer>", b"</ceb:BaseTransfer>", id="whitespace_case"),
    ],
)
def test_tampered_byte_is_a_digest_mismatch(old, new) -> None:
    for pair in (sm2, rsa):
        signed = sign(unsigned(621), pair())
        assert signed.count(old) >= 1
        tampered = signed.replace(old, new, 1)
        assert reason(verify_document(tampered))[2] == "signature.digest_mismatch"


def test_comment_added_outside_signed_content_still_verifies() -> None:
    # URI="" drops comments (XML-DSig §4.3.3.3), so a comment is not part of what was signed.
    signed = sign(unsigned(621), sm2())
    commented = signed.replace(b"<ceb:Inventory>", b"<!-- note --><ceb:Inventory>", 1)
    assert reason(verify_document(commented)) == (True, "sm2-sm3", "signature.valid")


@pytest.mark.parametrize(
    ("signer", "given", "expected"),
    [
        pytest.param(sm2, sm2_other, "signature.wrong_certificate", id="sm2_other_sm2_cert_case"),
        pytest.param(sm2, rsa, "signature.wrong_certificate", id="sm2_given_rsa_cert_case"),
        pytest.param(rsa, rsa_other, "signature.wrong_certificate", id="rsa_other_rsa_cert_case"),
        pytest.param(rsa, sm2, "signature.wrong_certificate", id="rsa_given_sm2_cert_case"),
        pytest.param(sm2, sm2, "signature.valid", id="sm2_own_cert_given_case"),
    ],
)
def test_verify_with_a_given_certificate(signer, given, expected) -> None:
    signed = sign(unsigned(621), signer())
    result = verify_document(signed, given().cert_pem)
    assert result.reason_code == expected
    assert result.cert_subject == given().subject


def test_embedded_certificate_swapped_for_another_is_a_bad_value() -> None:
    signed = sign(unsigned(621), sm2())
    swapped = signed.replace(
        base64.b64encode(sm2().cert_der), base64.b64encode(sm2_other().cert_der)
    )
    result = verify_document(swapped)
    assert reason(result) == (False, "sm2-sm3", "signature.bad_value")
    assert result.cert_serial == "0a0b"


def test_signature_value_with_a_flipped_bit_is_a_bad_value() -> None:
    for pair, name in ((sm2, "sm2-sm3"), (rsa, "rsa-sha1")):
        signed = sign(unsigned(621), pair())
        root = parse_bytes(signed)
        text = root[-1].findtext(f"{{{DS}}}SignatureValue")
        value = bytearray(base64.b64decode(text))
        value[10] ^= 0x01
        forged = signed.replace(text.encode(), base64.b64encode(bytes(value)))
        assert reason(verify_document(forged)) == (False, name, "signature.bad_value")


@pytest.mark.parametrize(
    ("pair", "value"),
    [
        pytest.param(sm2, b"", id="sm2_empty_case"),
        pytest.param(sm2, b"0" * 10, id="sm2_not_der_case"),
        pytest.param(sm2, b"\xff" * 72, id="sm2_garbage_72_bytes_case"),
        pytest.param(sm2, b"\x30\x06\x02\x01\x01\x02\x01\x01", id="sm2_tiny_der_case"),
        pytest.param(rsa, b"\x01" * 16, id="rsa_short_case"),
    ],
)
def test_undecodable_signature_values_are_bad_values(pair, value) -> None:
    signed = sign(unsigned(621), pair())
    text = parse_bytes(signed)[-1].findtext(f"{{{DS}}}SignatureValue").encode()
    forged = signed.replace(text, base64.b64encode(value))
    assert reason(verify_document(forged))[2] == "signature.bad_value"


def test_signature_copied_onto_another_document_is_a_digest_mismatch() -> None:
    signed = sign(unsigned(621), sm2())
    start, end = signature_bytes(signed)
    other = unsigned(311)
    cut = other.rfind(b"</ceb:CEB311Message>")
    copied = other[:cut] + signed[start:end] + other[cut:]
    assert reason(verify_document(copied)) == (False, "sm2-sm3", "signature.digest_mismatch")


def _sm2_signer(der: bool):
    key = sm_serialization.load_pem_private_key(sm2().key_pem, None)

    def sign_value(data: bytes) -> bytes:
        value = key.sign(data, sm_ec.ECDSA(sm_hashes.SM3()))
        if der:
            return value
        from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

        r, s = decode_dss_signature(value)
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")

    return sign_value


@pytest.mark.parametrize(
    ("method", "digest_uri", "digest", "der"),
    [
        pytest.param(SM2_2022, SM3_2022, sm3, False, id="dialect_2022_raw_case"),
        pytest.param(SM2_2022, SM3_2022, sm3, True, id="dialect_2022_der_case"),
        pytest.param(SM2_W3, SHA1_URI, sha1, False, id="eport_key_w3_sha1_raw_case"),
        pytest.param(SM2_W3, SHA1_URI, sha1, True, id="eport_key_w3_sha1_der_case"),
        pytest.param(SM2_W3, SM3_2022, sm3, False, id="w3_method_sm3_digest_case"),
        pytest.param(SM2_2022, SHA1_URI, sha1, True, id="method_2022_sha1_digest_case"),
    ],
)
def test_both_sm2_dialects_and_value_encodings_verify(method, digest_uri, digest, der) -> None:
    signed = hand_signed(
        unsigned(621), method, digest_uri, digest, _sm2_signer(der), sm2().cert_der
    )
    assert reason(verify_document(signed)) == (True, "sm2-sm3", "signature.valid")


def test_placeholder_signature_of_the_official_sample_is_refused() -> None:
    # SM2 URIs with an RSA certificate and a 20-byte DigestValue under an SM3 DigestMethod.
    result = verify_document(sample(621))
    assert reason(result) == (False, "sm2-sm3", "signature.digest_mismatch")
    assert result.cert_serial == "9927"


def _edit(signed: bytes, old: bytes, new: bytes) -> bytes:
    assert old in signed
    return signed.replace(old, new, 1)


SIGNATURE_CASES = [
    pytest.param(lambda s: unsigned(621), (False, "", "signature.missing"), id="missing_case"),
    pytest.param(
        lambda s: _edit(
            s, SM2_2022.encode(), b"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"
        ),
        (
            False,
            "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
            "signature.unsupported_algorithm",
        ),
        id="unknown_signature_method_case",
    ),
    pytest.param(
        lambda s: _edit(s, SM3_2022.encode(), b"http://www.w3.org/2001/04/xmldsig-more#md5"),
        (False, "sm2-sm3", "signature.unsupported_algorithm"),
        id="md5_digest_case",
    ),
    pytest.param(
        lambda s: _edit(s, b"REC-xml-c14n-20010315", b"REC-xml-c14n-20010315#WithComments"),
        (False, "sm2-sm3", "signature.unsupported_algorithm"),
        id="c14n_with_comments_case",
    ),
    pytest.param(
        lambda s: _edit(s, b'<ds:Reference URI="">', b'<ds:Reference URI="#x">'),
        (False, "sm2-sm3", "signature.unsupported_algorithm"),
        id="reference_not_whole_document_case",
    ),
    pytest.param(
        lambda s: _edit(s, b"#enveloped-signature", b"#base64"),
        (False, "sm2-sm3", "signature.unsupported_algorithm"),
        id="transform_not_enveloped_case",
    ),
    pytest.param(
        lambda s: _edit(s, b"<ds:DigestValue>", b"<ds:DigestValue>!!"),
        (False, "sm2-sm3", "signature.malformed"),
        id="bad_base64_case",
    ),
    pytest.param(
        lambda s: _edit(s, b"<ds:SignedInfo>", b"<ds:KeyName/><ds:SignedInfo>"),
        (False, "", "signature.malformed"),
        id="signed_info_not_first_case",
    ),
    pytest.param(
        lambda s: _edit(s, b"<ds:X509Certificate>", b"<ds:X509Certificate>AAAA"),
        (False, "sm2-sm3", "signature.malformed"),
        id="certificate_garbage_case",
    ),
    pytest.param(
        lambda s: s[: s.index(b"<ds:X509Data>")] + s[s.index(b"</ds:X509Data>") + 14 :],
        (False, "sm2-sm3", "signature.malformed"),
        id="no_certificate_case",
    ),
    pytest.param(
        lambda s: _edit(s, b"<ceb:Inventory>", b"<ceb:Inventory>" + s[slice(*signature_bytes(s))]),
        (False, "", "signature.malformed"),
        id="two_signatures_case",
    ),
    pytest.param(
        lambda s: _edit(
            s[: signature_bytes(s)[0]] + s[signature_bytes(s)[1] :],
            b"<ceb:Inventory>",
            b"<ceb:Inventory>" + s[slice(*signature_bytes(s))],
        ),
        (False, "", "signature.malformed"),
        id="signature_not_child_of_root_case",
    ),
]


@pytest.mark.parametrize(("edit", "expected"), SIGNATURE_CASES)
def test_failure_reasons(edit, expected) -> None:
    result = verify_document(edit(sign(unsigned(621), sm2())))
    assert reason(result) == expected
    assert result.reason_zh != ""
    assert result.reason_en.startswith(result.reason_en.split(" (")[0])


def test_verify_tree_leaves_the_tree_as_it_was() -> None:
    signed = sign(with_extend_message(unsigned(303)), sm2())
    root = parse_bytes(signed)
    before = etree.tostring(root)
    assert verify_tree(root).valid is True
    assert verify_tree(root, sm2().cert_der).valid is True
    assert etree.tostring(root) == before


def test_certificate_fingerprint_is_sha256_of_der_for_pem_and_der() -> None:
    expected = hashlib.sha256(sm2().cert_der).hexdigest()
    assert certificate_fingerprint(sm2().cert_pem) == expected
    assert certificate_fingerprint(sm2().cert_der) == expected
    assert len(expected) == 64


XML_TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")) | st.sampled_from("\t\n\r&<>\"'"),
    max_size=40,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=XML_TEXT)
def test_any_field_text_survives_sign_and_verify(text: str) -> None:
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    data = unsigned(621).replace(b"order2016030811340008<", escaped.encode() + b"<", 1)
    signed = sign(data, sm2())
    start, end = signature_bytes(signed)
    assert signed[:start] + signed[end:] == data
    assert reason(verify_document(signed)) == (True, "sm2-sm3", "signature.valid")


@pytest.mark.parametrize(
    "element",
    [
        pytest.param("ds:DigestValue", id="digest_value_case"),
        pytest.param("ds:SignatureValue", id="signature_value_case"),
        pytest.param("ds:X509Certificate", id="certificate_case"),
    ],
)
def test_a_comment_inside_a_base64_value_leaves_the_signature_valid(element: str) -> None:
    """Canonical XML leaves comments out, so `<ds:DigestValue><!--c-->abc…` still holds `abc…`
    (Hypothesis found the verifier reading only the text before the comment)."""
    data = sign(unsigned(621), rsa())
    at = data.index(f"<{element}>".encode()) + len(element) + 2
    commented = data[:at] + b"<!--c-->" + data[at:]
    assert verify_document(commented).reason_code == "signature.valid"
    element_inside = data[:at] + b"<x/>" + data[at:]
    assert verify_document(element_inside).reason_code == "signature.malformed"
