"""The soak's producer: one demo month rendered unsigned once as templates, each generation
rewritten with unique values, and the signer processes that sign and publish it (see soak.py's
docstring for the choices)."""

from __future__ import annotations

import os
import re
import signal
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from multiprocessing.sharedctypes import Synchronized
from multiprocessing.synchronize import Event

import pika

import bench_clearance as bc
from singlewindow.demo.identifiers import id_check_char, with_wrong_check
from singlewindow.demo.runner import DemoKeys, tax_adapter
from singlewindow.demo.traffic import iter_messages, plan_month
from singlewindow.demo.zone import build_zone
from singlewindow.kit.clock import CST
from singlewindow.message.signing import sign_document
from singlewindow.queue.publisher import publish
from singlewindow.tax import rules as tax_rules

CHUNK = 200  # messages a signer publishes between two looks at the queue depth

# -- templates ------------------------------------------------------------------------------
# The values that must be new in every generation; only the value group is rewritten.
_SLOTS = re.compile(
    rb'guid="(?P<attr>[0-9A-F-]{36})"'
    rb"|<ceb:guid>(?P<guid>[^<]{36})</ceb:guid>"
    rb"|<ceb:(?P<ktag>orderNo|logisticsNo|copNo|payTransactionId|payNo)>(?P<key>[^<]+)</ceb:(?P=ktag)>"
    rb"|<ceb:(?P<itag>buyerIdNumber|payerIdNumber)>(?P<id>[^<]{18})</ceb:(?P=itag)>"
)
_B36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_BORN_FROM = date(1950, 1, 1)


@dataclass(frozen=True)
class Template:
    cop_code: str
    fragments: tuple[bytes, ...]  # len(slots) + 1 pieces of the unsigned message
    slots: tuple[tuple[str, str], ...]  # (kind, value in the template)


def make_templates(parcels: int) -> tuple[list[Template], dict[str, int]]:
    """One demo month of unsigned messages in send order, cut at the values to rewrite; and the
    index of each buyer (first 17 characters of the ID number)."""
    zone = build_zone()
    now = datetime.now(CST)
    year, month = bc.month_before(now.year, now.month)
    imports = parcels * 6 // 10
    plan = plan_month(
        zone,
        year=year,
        month=month,
        import_parcels=imports,
        export_parcels=parcels - imports,
        tax=tax_adapter(tax_rules.load_default_rates()),
    )
    templates: list[Template] = []
    buyers: dict[str, int] = {}
    tails: set[str] = set()
    # The identity "signer" keeps appStatus 2 (declared), as a signed message says.
    for m in iter_messages(zone, plan, sign=lambda data, _cop: data):
        fragments: list[bytes] = []
        slots: list[tuple[str, str]] = []
        at = 0
        for match in _SLOTS.finditer(m.data):
            kind = next(k for k in ("attr", "guid", "key", "id") if match.group(k) is not None)
            start, end = match.span(kind)
            value = m.data[start:end].decode()
            if kind == "attr":
                tails.add(value[8:])
            if kind == "id":
                buyers.setdefault(value[:17], len(buyers))
            fragments.append(m.data[at:start])
            slots.append(("guid" if kind == "attr" else kind, value))
            at = end
        fragments.append(m.data[at:])
        templates.append(Template(m.cop_code, tuple(fragments), tuple(slots)))
    if len(tails) != len(templates):
        raise RuntimeError("template guids are not unique after their first 8 digits")
    return templates, buyers


def _suffix(generation: int) -> str:
    digits = []
    for _ in range(4):
        generation, r = divmod(generation, 36)
        digits.append(_B36[r])
    if generation:
        raise ValueError("more than 36**4 generations")
    return "".join(reversed(digits))


def _buyer_id(old: str, generation: int, buyers: dict[str, int]) -> str:
    """A valid resident ID of the same region, unique per (buyer, generation): the birth date
    and the sequence number count up from 1950-01-01/001."""
    n = generation * len(buyers) + buyers[old[:17]]
    born = _BORN_FROM + timedelta(days=n // 999)
    first17 = f"{old[:6]}{born:%Y%m%d}{n % 999 + 1:03d}"
    right = first17 + id_check_char(first17)
    return right if old[17] == id_check_char(old[:17]) else with_wrong_check(right)


def render(template: Template, generation: int, buyers: dict[str, int]) -> bytes:
    suffix = _suffix(generation)
    head = f"{generation:08X}"
    out = [template.fragments[0]]
    for (kind, value), fragment in zip(template.slots, template.fragments[1:], strict=True):
        if kind == "guid":
            new = head + value[8:]
        elif kind == "key":
            new = value + suffix
        else:
            new = _buyer_id(value, generation, buyers)
        out.append(new.encode())
        out.append(fragment)
    return b"".join(out)


# -- the producer (forked; globals set before the fork) -------------------------------------
_TEMPLATES: list[Template] = []
_BUYERS: dict[str, int] = {}
_KEYS: DemoKeys | None = None


def set_traffic(templates: list[Template], buyers: dict[str, int], keys: DemoKeys) -> None:
    """What the signers use; set before they are forked."""
    global _TEMPLATES, _BUYERS, _KEYS
    _TEMPLATES, _BUYERS, _KEYS = templates, buyers, keys


def produce(
    k: int,
    signers: int,
    amqp: str,
    intake: str,
    depth: int,
    limit: int,
    published: Synchronized[int],
    stop: Event,
    idle: bool,
) -> None:
    """Signer k: generations k, k + signers, ...; publishes while the queue is short."""
    assert _KEYS is not None
    if idle:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    connection = pika.BlockingConnection(pika.URLParameters(amqp))
    channel = connection.channel()
    generation = k
    try:
        while not stop.is_set():
            for i in range(0, len(_TEMPLATES), CHUNK):
                while not stop.is_set():
                    frame = channel.queue_declare(intake, durable=True, passive=True)
                    if frame.method.message_count < depth:
                        break
                    connection.sleep(0.25)
                for template in _TEMPLATES[i : i + CHUNK]:
                    with published.get_lock():
                        if stop.is_set() or published.value >= limit:
                            return
                        published.value += 1
                    body = render(template, generation, _BUYERS)
                    signed = sign_document(body, _KEYS.signers[template.cop_code])
                    publish(channel, intake, signed)
            generation += signers
    finally:
        if connection.is_open:
            connection.close()
