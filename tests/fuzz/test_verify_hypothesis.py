"""Hypothesis over signature verification as the clearance border calls it (`verify_document`
with the certificate the document carries; release/border.py).

Documents are the official samples signed with RSA (rsa-sha1, rsa-sha256) and SM2 keys, then
mutated: bytes inserted, deleted, replaced or cut; the SignatureValue, DigestValue or certificate
swapped; algorithm URIs changed; ds:Signature duplicated, moved or removed; elements injected or
a character of the content changed.

What "unchanged" means is computed here independently of the verifier, with lxml: the document
canonicalised (C14N 1.0, no comments) with its one ds:Signature stripped (the enveloped
transform), and the canonical SignedInfo. The properties:

* the verifier raises nothing but the parser's coded refusals (HostileInput, Unparsable) and
  otherwise gives a verdict with one of its reason codes;
* sound: a valid verdict implies the signed content, the SignedInfo and the public key are
  exactly those that were signed;
* complete: a document whose signed content and canonical ds:Signature are unchanged verifies
  (whatever its bytes: attribute quoting, empty-element form, comments, character references);
  and a set of rewrites that keep the signed content verify while content changes never do.
"""

from __future__ import annotations

import base64
import functools
import time
from collections.abc import Callable
from copy import deepcopy
from dataclasses import dataclass

import asn1crypto.x509
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from lxml import etree
from tests.message.keys import KeyPair, rsa, rsa_other, sign, sm2, sm2_other, unsigned

from singlewindow.message.signing import SigningRefused, Verification, verify_document
from singlewindow.message.xmlsafe import HostileInput, Unparsable

DS = "http://www.w3.org/2000/09/xmldsig#"
SIG = f"{{{DS}}}Signature"
CEB = "http://www.chinaport.gov.cn/ceb"
REASONS = frozenset(
    {
        "signature.valid",
        "signature.missing",
        "signature.digest_mismatch",
        "signature.bad_value",
        "signature.wrong_certificate",
        "signature.unsupported_algorithm",
        "signature.malformed",
        "signature.not_canonicalisable",
    }
)
URIS = (
    "http://www.chinaport.gov.cn/2022/04/xmldsig#sm2-sm3",
    "http://www.w3.org/2000/09/xmldsig#sm2-sm3",
    "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
    "http://www.chinaport.gov.cn/2022/04/xmldsig#sm3",
    "http://www.w3.org/2000/09/xmldsig#sha1",
    "http://www.w3.org/2001/04/xmlenc#sha256",
    "http://www.w3.org/TR/2001/REC-xml-c14n-20010315",
    "http://www.w3.org/2001/10/xml-exc-c14n#",
    "http://www.w3.org/2000/09/xmldsig#enveloped-signature",
    "http://www.w3.org/2000/09/xmldsig#hmac-sha1",
    "",
    "urn:x",
)
BOUND_S = 2.0  # one verification; generous for a loaded 2-core CI machine
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


@dataclass(frozen=True)
class Signed:
    data: bytes
    pair: KeyPair
    other: KeyPair  # another key of the same kind
    foreign: KeyPair  # a key of the other kind


@functools.cache
def seeds() -> tuple[Signed, ...]:
    """Import and export samples (the signature's place differs), each algorithm."""
    made = []
    for number in (621, 311, 303):
        made.append(Signed(sign(unsigned(number), sm2()), sm2(), sm2_other(), rsa()))
        made.append(Signed(sign(unsigned(number), rsa(), "rsa-sha1"), rsa(), rsa_other(), sm2()))
        made.append(Signed(sign(unsigned(number), rsa(), "rsa-sha256"), rsa(), rsa_other(), sm2()))
    return tuple(made)


def c14n(node: etree._Element | etree._ElementTree) -> bytes:
    return etree.tostring(node, method="c14n", exclusive=False, with_comments=False)


@dataclass(frozen=True)
class Parts:
    content: bytes  # the document canonicalised without its ds:Signature
    signed_info: bytes
    signature: bytes  # the whole ds:Signature canonicalised


def parts(data: bytes) -> Parts | None:
    """The signed parts, if the document has exactly one ds:Signature, a child of the root."""
    root = etree.fromstring(data, _PARSER)
    found = list(root.iter(SIG))
    if len(found) != 1 or found[0].getparent() is not root:
        return None
    sig = found[0]
    info = sig.find(f"{{{DS}}}SignedInfo")
    stripped = etree.fromstring(data, _PARSER).getroottree()
    etree.strip_elements(stripped, SIG, with_tail=False)
    return Parts(c14n(stripped), c14n(info) if info is not None else b"", c14n(sig))


def public_key(cert_der: bytes) -> bytes:
    """The certificate's SubjectPublicKeyInfo. KeyInfo is not signed: a certificate changed
    elsewhere (serial, subject, its own signature) still verifies under the same key; the border
    then refuses it as not filed, its fingerprint being another."""
    tbs = asn1crypto.x509.Certificate.load(cert_der)["tbs_certificate"]
    return bytes(tbs["subject_public_key_info"].dump())


def verdict(data: bytes) -> Verification | None:
    """verify_document as the border calls it; None when the parser refused with a coded error."""
    start = time.perf_counter()
    try:
        result = verify_document(data)
    except (HostileInput, Unparsable) as refused:
        assert refused.problems and all(p.code for p in refused.problems)
        return None
    finally:
        assert time.perf_counter() - start < BOUND_S
    assert result.reason_code in REASONS, result
    assert result.valid == (result.reason_code == "signature.valid")
    return result


def check_exact(seed: Signed, mutated: bytes) -> Verification | None:
    result = verdict(mutated)
    if result is None:
        return None
    before = parts(seed.data)
    try:
        after = parts(mutated)
    except etree.C14NError:  # no canonical form: nothing can be unchanged
        after = None
    assert before is not None
    if result.valid:
        assert after is not None
        assert after.content == before.content
        assert after.signed_info == before.signed_info
        assert result.cert_der is not None
        assert public_key(result.cert_der) == public_key(seed.pair.cert_der)
    if after is not None and (after.content, after.signature) == (
        before.content,
        before.signature,
    ):
        assert result.valid, result
    return result


# --- mutations -----------------------------------------------------------------------------

Tree = etree._Element
Mutation = Callable[[Tree, Signed], None]


def _sig(root: Tree) -> Tree:
    return next(root.iter(SIG))


def _ds(root: Tree, name: str) -> Tree | None:
    """The first ds element of that name in the first ds:Signature, if any is left."""
    return next(_sig(root).iter(f"{{{DS}}}{name}"), None)


def _content(root: Tree) -> list[Tree]:
    return [e for e in root.iter() if isinstance(e.tag, str) and e.tag.startswith(f"{{{CEB}}}")]


def swap_text(name: str, pick: Callable[[Signed], bytes]) -> Mutation:
    def apply(root: Tree, seed: Signed) -> None:
        if (el := _ds(root, name)) is not None:
            el.text = pick(seed).decode("ascii")

    return apply


def _value_of(data: bytes, name: str) -> bytes:
    el = _ds(etree.fromstring(data, _PARSER), name)
    assert el is not None
    return (el.text or "").encode("ascii")


def _other_document(seed: Signed) -> Signed:
    same = [s for s in seeds() if s.pair == seed.pair and s.data != seed.data]
    return same[0]


def set_algorithm(name: str, uri: str) -> Mutation:
    def apply(root: Tree, seed: Signed) -> None:
        if (el := _ds(root, name)) is not None:
            el.set("Algorithm", uri)

    return apply


def set_attribute(name: str, attribute: str, value: str) -> Mutation:
    def apply(root: Tree, seed: Signed) -> None:
        if (el := _ds(root, name)) is not None:
            el.set(attribute, value)

    return apply


def duplicate_signature(at: int) -> Mutation:
    def apply(root: Tree, seed: Signed) -> None:
        targets = [root, *_content(root)]
        targets[at % len(targets)].append(deepcopy(_sig(root)))

    return apply


def move_signature(at: int, into_content: bool) -> Mutation:
    def apply(root: Tree, seed: Signed) -> None:
        sig = _sig(root)
        if into_content:
            targets = _content(root)[1:]
            targets[at % len(targets)].append(sig)
        else:
            root.insert(at % (len(root) + 1), sig)

    return apply


def remove_ds(name: str) -> Mutation:
    def apply(root: Tree, seed: Signed) -> None:
        el = _ds(root, name)
        if el is not None and (parent := el.getparent()) is not None:
            parent.remove(el)

    return apply


def remove_signature(root: Tree, seed: Signed) -> None:
    sig = _sig(root)
    parent = sig.getparent()
    assert parent is not None
    parent.remove(sig)


def duplicate_ds(name: str) -> Mutation:
    def apply(root: Tree, seed: Signed) -> None:
        if (el := _ds(root, name)) is not None:
            el.addnext(deepcopy(el))

    return apply


def inject(at: int, tag: str) -> Mutation:
    def apply(root: Tree, seed: Signed) -> None:
        targets = _content(root)
        etree.SubElement(targets[at % len(targets)], tag).text = "x"

    return apply


def change_text(at: int, char: str) -> Mutation:
    def apply(root: Tree, seed: Signed) -> None:
        leaves = [e for e in _content(root) if e.text and e.text.strip()]
        leaf = leaves[at % len(leaves)]
        text = leaf.text or ""
        i = at % len(text)
        leaf.text = text[:i] + (char if char != text[i] else char + char) + text[i + 1 :]

    return apply


def set_root_attribute(name: str, value: str) -> Mutation:
    def apply(root: Tree, seed: Signed) -> None:
        root.set(name, value)

    return apply


def identity(root: Tree, seed: Signed) -> None:
    """Only re-serialised by lxml: other bytes, the same canonical document."""


def tree_mutations() -> st.SearchStrategy[Mutation]:
    at = st.integers(0, 10_000)
    value_names = st.sampled_from(["SignatureValue", "DigestValue", "X509Certificate"])
    return st.one_of(
        st.just(identity),
        value_names.map(
            lambda n: swap_text(n, lambda s, n=n: _value_of(_other_document(s).data, n))
        ),
        st.just(
            swap_text("X509Certificate", lambda s: base64.b64encode(s.other.cert_der)),
        ),
        st.just(
            swap_text("X509Certificate", lambda s: base64.b64encode(s.foreign.cert_der)),
        ),
        st.builds(
            set_algorithm,
            st.sampled_from(
                ["SignatureMethod", "DigestMethod", "CanonicalizationMethod", "Transform"]
            ),
            st.sampled_from(URIS),
        ),
        st.builds(
            set_attribute, st.just("Reference"), st.just("URI"), st.sampled_from(["#x", " "])
        ),
        st.builds(duplicate_signature, at),
        st.builds(move_signature, at, st.booleans()),
        st.builds(
            remove_ds,
            st.sampled_from(["SignedInfo", "SignatureValue", "KeyInfo", "X509Certificate"]),
        ),
        st.just(remove_signature),
        st.builds(
            duplicate_ds,
            st.sampled_from(["KeyInfo", "SignatureValue", "Reference", "X509Certificate"]),
        ),
        st.builds(inject, at, st.sampled_from([f"{{{CEB}}}x", "x", f"{{{DS}}}Signature"])),
        st.builds(change_text, at, st.sampled_from(["0", "A", " ", "订", "&"])),
        st.builds(
            set_root_attribute,
            st.sampled_from(["{urn:x}a", "guid", "version"]),
            st.sampled_from(["", "1.0", "x"]),
        ),
    )


def apply_tree(seed: Signed, mutation: Mutation) -> bytes:
    root = etree.fromstring(seed.data, _PARSER)
    mutation(root, seed)
    return etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8")


SNIPPETS = st.sampled_from(
    [
        b" ",
        b"\n",
        b"<x/>",
        b"<!--c-->",
        b"&amp;",
        b'"',
        b"<ds:Signature/>",
        b"&#65;",
        b"]]>",
        b"\x00",
    ]
)


def byte_mutation(data: bytes, op: int, pos: int, extra: bytes, n: int) -> bytes:
    i = pos % (len(data) + 1)
    if op == 0:
        return data[:i] + extra + data[i:]
    if op == 1:
        return data[:i] + data[i + n :]
    if op == 2:
        return data[:i] + extra + data[i + n :]
    return data[:i]


SEED = st.integers(0, 8)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    SEED,
    st.integers(0, 3),
    st.integers(0, 10**6),
    st.one_of(SNIPPETS, st.binary(min_size=1, max_size=8)),
    st.integers(1, 32),
)
@example(3, 0, 0, b"\xef\xbb\xbf", 1)  # a second byte-order mark before the first (CI found it)
def test_byte_mutations_verify_only_with_unchanged_signed_content(
    index: int, op: int, pos: int, extra: bytes, n: int
) -> None:
    seed = seeds()[index]
    check_exact(seed, byte_mutation(seed.data, op, pos, extra, n))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SEED, st.lists(tree_mutations(), min_size=1, max_size=3))
def test_structural_mutations_verify_only_with_unchanged_signed_content(
    index: int, mutations: list[Mutation]
) -> None:
    seed = seeds()[index]
    data = seed.data
    for mutation in mutations:
        try:
            root = etree.fromstring(data, _PARSER)
        except etree.XMLSyntaxError:
            break
        if next(root.iter(SIG), None) is None:
            break
        mutation(root, seed)
        data = etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8")
    check_exact(seed, data)


# --- rewrites that keep the signed content, and changes that do not ------------------------


def _split_base64(name: str) -> Callable[[bytes], bytes]:
    def apply(data: bytes) -> bytes:
        start = data.index(f"<ds:{name}>".encode()) + len(name) + 5
        return data[: start + 8] + b"\n\t " + data[start + 8 :]

    return apply


def _character_reference(data: bytes) -> bytes:
    at = data.index(b"<ceb:guid>") + len(b"<ceb:guid>")
    return data[:at] + b"&#x%x;" % data[at] + data[at + 1 :]


def _root_start_tag_end(data: bytes) -> int:
    return data.index(b">", data.index(b"<ceb:CEB"))


BENIGN: dict[str, Callable[[bytes], bytes]] = {
    "lxml_reserialised": lambda d: etree.tostring(
        etree.fromstring(d, _PARSER).getroottree(), xml_declaration=True, encoding="UTF-8"
    ),
    "no_xml_declaration": lambda d: d[d.index(b"?>") + 2 :],
    "space_before_root_tag_end": lambda d: (
        d[: _root_start_tag_end(d)] + b" \n\t" + d[_root_start_tag_end(d) :]
    ),
    "single_quoted_root_attributes": lambda d: (
        d[: d.index(b"<ceb:CEB")]
        + d[d.index(b"<ceb:CEB") : _root_start_tag_end(d)].replace(b'"', b"'")
        + d[_root_start_tag_end(d) :]
    ),
    "comments_around_and_inside": lambda d: d.replace(b"<ceb:", b"<!-- c --><ceb:", 3),
    "empty_element_self_closed": lambda d: d.replace(b"></ds:CanonicalizationMethod>", b"/>", 1),
    "character_reference_in_text": _character_reference,
    "signature_value_wrapped": _split_base64("SignatureValue"),
    "certificate_wrapped": _split_base64("X509Certificate"),
    "key_name_changed": lambda d: d.replace(
        d[d.index(b"<ds:KeyName>") : d.index(b"</ds:KeyName>")], b"<ds:KeyName>anything", 1
    ),
    "comment_inside_signature": lambda d: d.replace(b"<ds:KeyInfo>", b"<!--k--><ds:KeyInfo>", 1),
}


@pytest.mark.parametrize("index", range(9), ids=lambda i: f"seed{i}_case")
@pytest.mark.parametrize("rewrite", BENIGN, ids=lambda n: f"{n}_case")
def test_rewrites_keeping_signed_content_verify(index: int, rewrite: str) -> None:
    seed = seeds()[index]
    data = BENIGN[rewrite](seed.data)
    assert data != seed.data
    result = check_exact(seed, data)
    assert result is not None and result.valid, result


@pytest.mark.parametrize("index", range(9), ids=lambda i: f"seed{i}_case")
def test_a_changed_character_of_content_never_verifies(index: int) -> None:
    seed = seeds()[index]
    for at in range(0, 400, 37):
        data = apply_tree(seed, change_text(at, "9"))
        result = check_exact(seed, data)
        assert result is not None
        assert result.reason_code == "signature.digest_mismatch"


def _relative_namespace(data: bytes) -> bytes:
    at = data.index(b"Message", data.index(b"<ceb:CEB")) + len(b"Message")
    return data[:at] + b' xmlns:z="relative/uri"' + data[at:]


@pytest.mark.parametrize("index", range(9), ids=lambda i: f"seed{i}_case")
def test_relative_namespace_uri_is_a_verdict_not_a_crash(index: int) -> None:
    """Well-formed XML that C14N 1.0 refuses (found by bench/fuzz_verify.py)."""
    result = check_exact(seeds()[index], _relative_namespace(seeds()[index].data))
    assert result is not None
    assert (result.valid, result.reason_code) == (False, "signature.not_canonicalisable")


def test_relative_namespace_uri_cannot_be_signed() -> None:
    with pytest.raises(SigningRefused) as refused:
        sign(_relative_namespace(unsigned(621)), rsa())
    assert refused.value.code == "signature.not_canonicalisable"
