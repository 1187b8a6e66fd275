"""Signing refusals: unusable keys, wrong algorithm, already signed, hostile input."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization
from tests.message.keys import rsa, rsa_other, sample, sign, sm2, sm2_other, unsigned

from singlewindow.message.signing import (
    SigningRefused,
    load_signer,
    sign_document,
    verify_document,
)
from singlewindow.message.xmlsafe import HostileInput, Unparsable


def test_already_signed_document_is_refused() -> None:
    once = sign(unsigned(621), sm2())
    for data in (once, sample(621)):
        with pytest.raises(SigningRefused) as caught:
            sign(data, rsa())
        assert caught.value.code == "signature.already_signed"


@pytest.mark.parametrize(
    ("make", "code"),
    [
        pytest.param(
            lambda: load_signer(sm2().key_pem, sm2_other().cert_pem),
            "signature.key_mismatch",
            id="sm2_key_other_cert_case",
        ),
        pytest.param(
            lambda: load_signer(rsa().key_pem, rsa_other().cert_pem),
            "signature.key_mismatch",
            id="rsa_key_other_cert_case",
        ),
        pytest.param(
            lambda: load_signer(rsa().key_pem, sm2().cert_pem),
            "signature.bad_key",
            id="rsa_key_sm2_cert_case",
        ),
        pytest.param(
            lambda: load_signer(b"not a key", rsa().cert_pem),
            "signature.bad_key",
            id="garbage_key_case",
        ),
        pytest.param(
            lambda: load_signer(rsa().key_pem, b"not a certificate"),
            "signature.bad_certificate",
            id="garbage_certificate_case",
        ),
        pytest.param(
            lambda: sign(unsigned(621), rsa(), "sm2-sm3"),
            "signature.key_algorithm_mismatch",
            id="rsa_key_sm2_algorithm_case",
        ),
        pytest.param(
            lambda: sign(unsigned(621), sm2(), "rsa-sha256"),
            "signature.key_algorithm_mismatch",
            id="sm2_key_rsa_algorithm_case",
        ),
        pytest.param(
            lambda: sign(unsigned(621), sm2(), "ecdsa"),
            "signature.unsupported_algorithm",
            id="unknown_algorithm_case",
        ),
        pytest.param(
            lambda: sign(b"<a><b/></a>", sm2()),
            "signature.unknown_message",
            id="not_a_ceb_message_case",
        ),
        pytest.param(
            lambda: sign(
                '<?xml version="1.0" encoding="UTF-16"?><ceb:CEB621Message '
                'xmlns:ceb="http://www.chinaport.gov.cn/ceb"/>'.encode("utf-16"),
                sm2(),
            ),
            "signature.unsupported_encoding",
            id="utf16_case",
        ),
        pytest.param(
            lambda: sign(unsigned(621) + b"<!-- </ceb:CEB621Message> -->", sm2()),
            "signature.splice_failed",
            id="root_end_tag_lookalike_in_comment_case",
        ),
    ],
)
def test_signing_refusals(make, code) -> None:
    with pytest.raises(SigningRefused) as caught:
        make()
    assert caught.value.code == code
    assert caught.value.problems[0].message_zh != ""


def test_encrypted_private_key_needs_its_password() -> None:
    key = serialization.load_pem_private_key(rsa().key_pem, None)
    locked = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"secret"),
    )
    signed = sign_document(unsigned(621), load_signer(locked, rsa().cert_pem, b"secret"))
    assert verify_document(signed).valid is True
    with pytest.raises(SigningRefused) as caught:
        load_signer(locked, rsa().cert_pem, b"wrong")
    assert caught.value.code == "signature.bad_key"


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    b'<ceb:CEB621Message xmlns:ceb="http://www.chinaport.gov.cn/ceb">&lol2;</ceb:CEB621Message>'
)
XXE = (
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
    b'<ceb:CEB621Message xmlns:ceb="http://www.chinaport.gov.cn/ceb">&e;</ceb:CEB621Message>'
)
DEEP = (
    b"<ceb:CEB621Message xmlns:ceb='urn:x'>"
    + b"<a>" * 100
    + b"</a>" * 100
    + b"</ceb:CEB621Message>"
)


@pytest.mark.parametrize(
    ("data", "error", "code"),
    [
        pytest.param(BILLION_LAUGHS, HostileInput, "hostile.doctype", id="billion_laughs_case"),
        pytest.param(XXE, HostileInput, "hostile.doctype", id="external_entity_case"),
        pytest.param(DEEP, HostileInput, "hostile.too_deep", id="too_deep_case"),
        pytest.param(b"<ceb:CEB621Message", Unparsable, "xml.not_well_formed", id="broken_case"),
    ],
)
def test_hostile_input_is_refused_by_sign_and_verify(data, error, code) -> None:
    with pytest.raises(error) as signing:
        sign(data, sm2())
    assert signing.value.code == code
    with pytest.raises(error) as verifying:
        verify_document(data)
    assert verifying.value.code == code
