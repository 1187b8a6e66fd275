"""Cross-library checks: our signatures verified by independent implementations and back.

RSA: libxmlsec1 (through `xmlsec`) checks C14N, the enveloped transform, digest and value.
SM2: `gmssl` (pure Python, its own Z value with user ID 1234567812345678) and the `openssl`
command check the raw r‖s value over C14N(SignedInfo).
"""

from __future__ import annotations

import base64
import subprocess
import tempfile
from pathlib import Path

import pytest
import xmlsec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from gmssl import sm2 as gmssl_sm2
from lxml import etree
from tests.message.keys import DS, c14n, hand_signed, rsa, sm2, sm3, unsigned, with_extend_message

from singlewindow.message.signing import load_signer, sign_document, verify_document

SM2_2022 = "http://www.chinaport.gov.cn/2022/04/xmldsig#sm2-sm3"
SM3_2022 = "http://www.chinaport.gov.cn/2022/04/xmldsig#sm3"


def _xmlsec_verify(signed: bytes, cert_pem: bytes) -> None:
    root = etree.fromstring(signed)
    ctx = xmlsec.SignatureContext()
    ctx.key = xmlsec.Key.from_memory(cert_pem, xmlsec.constants.KeyDataFormatCertPem)
    ctx.verify(xmlsec.tree.find_node(root, xmlsec.constants.NodeSignature))


DOCUMENTS = [
    pytest.param(lambda: unsigned(621), id="import_621_case"),
    pytest.param(lambda: unsigned(311), id="import_311_bom_case"),
    pytest.param(lambda: with_extend_message(unsigned(303)), id="export_303_extend_case"),
    pytest.param(lambda: unsigned(622), id="receipt_default_namespace_case"),
]


@pytest.mark.parametrize("algorithm", ["rsa-sha1", "rsa-sha256"])
@pytest.mark.parametrize("document", DOCUMENTS)
def test_xmlsec_verifies_our_rsa_signatures(document, algorithm) -> None:
    signed = sign_document(document(), load_signer(rsa().key_pem, rsa().cert_pem), algorithm)
    _xmlsec_verify(signed, rsa().cert_pem)


def test_xmlsec_refuses_our_signature_after_tampering() -> None:
    signed = sign_document(unsigned(621), load_signer(rsa().key_pem, rsa().cert_pem))
    with pytest.raises(xmlsec.Error):
        _xmlsec_verify(
            signed.replace(b"order2016030811340008<", b"order2016030811340009<"), rsa().cert_pem
        )


@pytest.mark.parametrize(
    ("transform", "digest", "algorithm"),
    [
        pytest.param(
            xmlsec.constants.TransformRsaSha1,
            xmlsec.constants.TransformSha1,
            "rsa-sha1",
            id="rsa_sha1_case",
        ),
        pytest.param(
            xmlsec.constants.TransformRsaSha256,
            xmlsec.constants.TransformSha256,
            "rsa-sha256",
            id="rsa_sha256_case",
        ),
    ],
)
def test_we_verify_xmlsec_signatures(transform, digest, algorithm) -> None:
    root = etree.fromstring(unsigned(621))
    sig = xmlsec.template.create(root, xmlsec.constants.TransformInclC14N, transform, ns="ds")
    root.append(sig)
    ref = xmlsec.template.add_reference(sig, digest, uri="")
    xmlsec.template.add_transform(ref, xmlsec.constants.TransformEnveloped)
    xmlsec.template.add_x509_data(xmlsec.template.ensure_key_info(sig))
    key = xmlsec.Key.from_memory(rsa().key_pem, xmlsec.constants.KeyDataFormatPem)
    key.load_cert_from_memory(rsa().cert_pem, xmlsec.constants.KeyDataFormatCertPem)
    ctx = xmlsec.SignatureContext()
    ctx.key = key
    ctx.sign(sig)
    signed = etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8")
    result = verify_document(signed)
    assert (result.valid, result.algorithm, result.reason_code) == (
        True,
        algorithm,
        "signature.valid",
    )
    assert result.cert_serial == "3039"


def _signed_info_and_value(signed: bytes) -> tuple[bytes, bytes]:
    root = etree.fromstring(signed)
    sig = root.find(f"{{{DS}}}Signature")
    return c14n(sig.find(f"{{{DS}}}SignedInfo")), base64.b64decode(
        sig.findtext(f"{{{DS}}}SignatureValue")
    )


@pytest.mark.parametrize("document", DOCUMENTS)
def test_gmssl_verifies_our_sm2_value(document) -> None:
    signed_info, value = _signed_info_and_value(
        sign_document(document(), load_signer(sm2().key_pem, sm2().cert_pem))
    )
    assert len(value) == 64
    checker = gmssl_sm2.CryptSM2(private_key="", public_key=sm2().public_hex)
    assert checker.verify_with_sm3(value.hex(), signed_info) is True
    assert checker.verify_with_sm3(value.hex(), signed_info + b" ") is False


def test_openssl_verifies_our_sm2_value_with_the_default_user_id() -> None:
    signed_info, value = _signed_info_and_value(
        sign_document(unsigned(621), load_signer(sm2().key_pem, sm2().cert_pem))
    )
    der = encode_dss_signature(int.from_bytes(value[:32], "big"), int.from_bytes(value[32:], "big"))
    with tempfile.TemporaryDirectory() as tmp:
        cert, data, sig = Path(tmp, "c.pem"), Path(tmp, "d"), Path(tmp, "s")
        cert.write_bytes(sm2().cert_pem)
        data.write_bytes(signed_info)
        sig.write_bytes(der)
        pub = subprocess.run(
            ["openssl", "x509", "-pubkey", "-noout", "-in", str(cert)],
            check=True,
            capture_output=True,
        ).stdout
        Path(tmp, "p.pem").write_bytes(pub)
        checked = subprocess.run(
            [
                "openssl",
                "pkeyutl",
                "-verify",
                "-pubin",
                "-inkey",
                str(Path(tmp, "p.pem")),
                "-rawin",
                "-digest",
                "sm3",
                "-in",
                str(data),
                "-sigfile",
                str(sig),
                "-pkeyopt",
                "distid:1234567812345678",
            ],
            capture_output=True,
        )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert b"Signature Verified Successfully" in checked.stdout


def test_we_verify_a_gmssl_made_sm2_signature() -> None:
    maker = gmssl_sm2.CryptSM2(private_key=sm2().private_hex, public_key=sm2().public_hex)

    def gmssl_sign(data: bytes) -> bytes:
        return bytes.fromhex(maker.sign_with_sm3(data))

    signed = hand_signed(unsigned(621), SM2_2022, SM3_2022, sm3, gmssl_sign, sm2().cert_der)
    result = verify_document(signed)
    assert (result.valid, result.algorithm, result.reason_code) == (
        True,
        "sm2-sm3",
        "signature.valid",
    )
    assert result.cert_serial == "03000000000cde6f"
