"""Atheris campaign over signature verification as the clearance border calls it
(`verify_document` with the certificate the document carries).

The seed corpus is the official samples signed with RSA (rsa-sha1, rsa-sha256) and SM2 keys
(the keys of tests/message/keys.py); libFuzzer mutates their bytes. A finding is an exception
other than the parser's coded refusals (HostileInput, Unparsable), a reason code the verifier
does not define, a verification over the time bound, or a VALID verdict on a document whose
canonical signed content (the document without its ds:Signature, C14N 1.0 without comments),
canonical SignedInfo and public key are not exactly those of a seed: a forgery. Findings are
collected and the campaign goes on; the exit status is 1 if there was any.

Usage: python bench/fuzz_verify.py [--runs 1000000] [--seconds 0]   (0: no time limit)
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import os
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

import asn1crypto.x509
import atheris
from lxml import etree

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # the tests' keys and samples

with atheris.instrument_imports(include=["singlewindow"]):
    from singlewindow.message.signing import verify_document
    from singlewindow.message.xmlsafe import HostileInput, Unparsable

from tests.message.keys import rsa, sign, sm2, unsigned  # noqa: E402

DS = "http://www.w3.org/2000/09/xmldsig#"
SIG = f"{{{DS}}}Signature"
REASONS = frozenset(
    [
        "valid",
        "missing",
        "digest_mismatch",
        "bad_value",
        "wrong_certificate",
        "unsupported_algorithm",
        "malformed",
        "not_canonicalisable",
    ]
)
BOUND_S = 5.0
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def c14n(node: etree._Element | etree._ElementTree) -> bytes:
    return etree.tostring(node, method="c14n", exclusive=False, with_comments=False)


def signed_parts(data: bytes) -> tuple[bytes, bytes] | None:
    """(canonical document without its one ds:Signature, canonical SignedInfo), computed with
    lxml alone; None unless there is exactly one ds:Signature and it is a child of the root."""
    root = etree.fromstring(data, _PARSER)
    found = list(root.iter(SIG))
    if len(found) != 1 or found[0].getparent() is not root:
        return None
    info = found[0].find(f"{{{DS}}}SignedInfo")
    stripped = etree.fromstring(data, _PARSER).getroottree()
    etree.strip_elements(stripped, SIG, with_tail=False)
    return c14n(stripped), c14n(info) if info is not None else b""


def public_key(cert_der: bytes | None) -> bytes:
    """The certificate's SubjectPublicKeyInfo. KeyInfo is not signed: a certificate changed
    elsewhere (serial, subject, its own signature) still verifies if the key is the same; the
    border then refuses it as not filed (its fingerprint differs)."""
    if cert_der is None:
        return b""
    tbs = asn1crypto.x509.Certificate.load(cert_der)["tbs_certificate"]
    return bytes(tbs["subject_public_key_info"].dump())


class Campaign:
    def __init__(self, seeds: list[tuple[bytes, bytes]]) -> None:
        self.seeds = seeds  # (signed document, certificate DER)
        self.signed = set()
        for data, cert in seeds:
            parts = signed_parts(data)
            assert parts is not None
            self.signed.add((*parts, public_key(cert)))
        self.runs = 0
        self.valid = 0
        self.findings: dict[str, str] = {}

    def target(self, data: bytes) -> None:
        self.runs += 1
        start = time.perf_counter()
        try:
            result = verify_document(data)
        except (HostileInput, Unparsable) as refused:
            if not refused.problems or not all(p.code for p in refused.problems):
                self.finding("uncoded refusal", data, repr(refused))
            return
        except Exception as exc:
            self.finding(f"raised {type(exc).__name__}", data, traceback.format_exc(limit=4))
            return
        took = time.perf_counter() - start
        if took > BOUND_S:
            self.finding("slow", data, f"{took:.1f} s")
        code = result.reason_code.removeprefix("signature.")
        if code not in REASONS or result.valid != (code == "valid"):
            self.finding(f"reason {result.reason_code}", data, repr(result))
        if result.valid:
            self.valid += 1
            parts = signed_parts(data)
            key = public_key(result.cert_der)
            if parts is None or (*parts, key) not in self.signed:
                known = [
                    any(part == known[i] for known in self.signed)
                    for i, part in enumerate((*(parts or (b"", b"")), key))
                ]
                self.finding(
                    "forgery", data, f"{result!r} content, SignedInfo, cert known: {known}"
                )

    def finding(self, kind: str, data: bytes, detail: str) -> None:
        if kind not in self.findings:
            saved = Path(f"finding-{len(self.findings)}.bin")  # in the working folder
            saved.write_bytes(data)
            self.findings[kind] = f"{kind} ({saved}): input={data[:200]!r} {detail[-600:]}"
            print(f"FINDING {self.findings[kind]}", flush=True)


def seeds() -> list[tuple[bytes, bytes]]:
    made = []
    for number in (621, 311, 303, 411, 511, 603, 622):
        made.append((sign(unsigned(number), sm2()), sm2().cert_der))
        made.append((sign(unsigned(number), rsa(), "rsa-sha1"), rsa().cert_der))
        made.append((sign(unsigned(number), rsa(), "rsa-sha256"), rsa().cert_der))
    return made


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=int, default=0, help="stop after this long (0: never)")
    args = parser.parse_args()
    campaign = Campaign(seeds())
    # libFuzzer writes new inputs into the corpus folder, so it works on a throwaway one.
    corpus = Path(tempfile.mkdtemp(prefix="fuzz_verify_"))
    for i, (data, _cert) in enumerate(campaign.seeds):
        (corpus / f"seed{i:02d}.xml").write_bytes(data)
    start = time.perf_counter()

    def report(_status: int, _arg: object) -> None:
        took = time.perf_counter() - start
        print(
            f"runs={campaign.runs} seconds={took:.1f} "
            f"exec_per_s={campaign.runs / max(took, 1e-9):.0f} valid={campaign.valid} "
            f"findings={len(campaign.findings)}",
            flush=True,
        )
        for finding in campaign.findings.values():
            print(f"  {finding}", flush=True)
        shutil.rmtree(corpus, ignore_errors=True)
        if campaign.findings:
            os._exit(1)

    # libFuzzer ends the process with exit(); only a C-level exit hook runs after it.
    hook = ctypes.CFUNCTYPE(None, ctypes.c_int, ctypes.c_void_p)(report)
    ctypes.CDLL(ctypes.util.find_library("c")).on_exit(hook, None)
    artifacts = Path(__file__).resolve().parents[1] / "build" / "fuzz_verify"  # crash- files
    artifacts.mkdir(parents=True, exist_ok=True)
    argv = [
        sys.argv[0],
        f"-runs={args.runs}",
        "-timeout=60",
        f"-artifact_prefix={artifacts}/",
        str(corpus),
    ]
    if args.seconds:
        argv.insert(2, f"-max_total_time={args.seconds}")
    atheris.Setup(argv, campaign.target)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
