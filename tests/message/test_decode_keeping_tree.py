"""`decode_keeping_tree`: one parse serves the codec and the signature check when the document
has no comment or processing instruction; otherwise the tree is not shared, and either way the
message and the verdict are the same as `decode` and `verify_document` give."""

from __future__ import annotations

import dataclasses

import pytest
from tests.message.keys import rsa, sign, sm2, unsigned

from singlewindow.message import decode
from singlewindow.message.decoding import decode_keeping_tree
from singlewindow.message.signing import verify_document, verify_tree


def _with_comment(data: bytes) -> bytes:
    at = data.index(b"<ceb:OrderHead>") if b"<ceb:OrderHead>" in data else data.index(b"?>") + 2
    return data[:at] + b"<!-- a note -->" + data[at:]


@pytest.mark.parametrize(
    ("data", "shared"),
    [
        pytest.param(sign(unsigned(311), rsa()), True, id="rsa_signed_case"),
        pytest.param(sign(unsigned(621), sm2()), True, id="sm2_signed_case"),
        pytest.param(sign(_with_comment(unsigned(311)), rsa()), False, id="comment_case"),
        pytest.param(
            sign(unsigned(311).replace(b"?>", b"?><?note x?>", 1), rsa()),
            False,
            id="processing_instruction_case",
        ),
        pytest.param(
            sign(unsigned(311).replace(b"?>", b"?><?xml-stylesheet href='x'?>", 1), rsa()),
            False,
            id="xml_stylesheet_pi_case",
        ),
    ],
)
def test_tree_shared_only_when_it_is_the_whole_document(data: bytes, shared: bool) -> None:
    message, tree = decode_keeping_tree(data)
    assert (tree is not None) is shared
    whole = decode(data)
    assert whole.signature is not None
    # With the tree shared the signature is checked on it, so the message leaves out its
    # canonical bytes; everything else is what `decode` gives.
    assert message == (dataclasses.replace(whole, signature=None) if shared else whole)
    expected = verify_document(data)
    got = verify_tree(tree) if tree is not None else verify_document(data)
    assert got == expected
    assert got.valid


def test_shared_tree_still_catches_a_changed_document() -> None:
    data = sign(unsigned(311), rsa())
    at = data.index(b"<ceb:goodsValue>") + len(b"<ceb:goodsValue>")
    changed = data[:at] + b"9" + data[at:]
    _, tree = decode_keeping_tree(changed)
    assert tree is not None
    assert verify_tree(tree).reason_code == "signature.digest_mismatch"
