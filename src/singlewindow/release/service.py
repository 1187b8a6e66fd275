"""Ingest: one or many CEB messages in, one receipt per business record out.

Order of judgement for a message: hostile or unparsable → format → guid reuse (or an identical
resubmission, answered with its original receipts) → sender (filed, role, API key, signature)
→ per record: codes and arithmetic → store by appType/appStatus → comparison and release of
the inventories it completes. A message refused as a whole stores nothing.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from singlewindow.auth.domain import Principal
from singlewindow.db.bulk import insert_rows
from singlewindow.db.session import unit_of_work
from singlewindow.declaration import repository
from singlewindow.declaration.domain import DECLARATION_TYPES, Kind, RecordKeys, ReturnStatus
from singlewindow.declaration.rows import Document, Inventory
from singlewindow.declaration.rules import (
    check_arithmetic,
    check_codes,
    head_of,
)
from singlewindow.declaration.tables import MessageRow
from singlewindow.kit.admission import busy
from singlewindow.kit.errors import NotFound, Problem
from singlewindow.message import Message, decode, record_to_json
from singlewindow.release import clearance, withdrawal
from singlewindow.release import keys as parcel_keys
from singlewindow.release.border import (
    Decoded,
    decode_message,
    guid_reused,
    judge_sender,
    refuse_whole,
)
from singlewindow.release.context import ClearanceContext
from singlewindow.release.domain import ReceiptView, Verdict, sender_of
from singlewindow.release.machine import move_inventory, settle, view_of, write_receipt
from singlewindow.release.workset import Workset

S = ReturnStatus
# Core, not the ORM's bulk insert: the archived bytes of a whole batch in one plain statement.
_MESSAGES: Table = MessageRow.__table__  # type: ignore[assignment]
DELETED = "deleted"
INVENTORY_TYPES = frozenset({"CEB621", "CEB603"})
# Once customs has concluded (399) or released an inventory, neither it nor the documents it was
# compared with may be changed or deleted (appType 2/3).
RELEASED_OR_LATER = frozenset({S.CONCLUDED, S.RELEASED, S.CLOSED, S.INSPECTION})


def submit_messages(
    session: Session,
    ctx: ClearanceContext,
    payloads: Sequence[bytes],
    *,
    submitter: str | None = None,
    actor: str = "platform",
    wait_for_locks: bool = True,
) -> list[ReceiptView]:
    """Judge and store a batch of messages. `submitter` is the enterprise code an API key
    belongs to (None for the platform's own operators); its messages must carry that copCode."""
    return submit_decoded(
        session,
        ctx,
        decode_batch(payloads, ctx),
        submitter=submitter,
        actor=actor,
        wait_for_locks=wait_for_locks,
    )


def decode_batch(payloads: Sequence[bytes], ctx: ClearanceContext) -> list[Decoded]:
    """The border of every message of a batch, and each record's own codes and arithmetic: none
    needs the database or a lock, so it is done once, outside the transaction and its retries."""
    decoded = [decode_message(data) for data in payloads]
    judge_records(decoded, ctx)
    return decoded


def judge_records(decoded: Sequence[Decoded], ctx: ClearanceContext) -> None:
    """Each record's codes against the code tables and its own arithmetic, into
    `Decoded.problems` (replaced, so judging again gives the same)."""
    for item in decoded:
        msg = item.message
        if msg is None:
            continue
        name = _node_name(msg)
        problems: list[list[Problem]] = []
        for index, (body, keys) in enumerate(zip(item.bodies, item.keys, strict=True), 1):
            node = f"/{msg.message_type}Message/{name}[{index}]"
            label = keys.order_no or keys.logistics_no or keys.invt_no or keys.guid
            found = check_codes(body, ctx.codes, where=node, label=label)
            found += check_arithmetic(msg.message_type, body, where=node, label=label)
            problems.append(found)
        item.problems = problems


def submit_decoded(
    session: Session,
    ctx: ClearanceContext,
    decoded: list[Decoded],
    *,
    submitter: str | None = None,
    actor: str = "platform",
    wait_for_locks: bool = True,
) -> list[ReceiptView]:
    """`submit_messages` of a batch already through the border. With `wait_for_locks=False`, a
    key another batch holds raises LocksBusy instead of waiting (PostgreSQL)."""
    now = ctx.clock()
    live = [d for d in decoded if d.message is not None]
    # Locks first (parcels, buyers, message guids), then everything is read under them.
    held = parcel_keys.lock_keys(live)
    repository.lock_keys(session, held)
    batch_keys = parcel_keys.batch_keys(live)
    # The stored inventories these keys reach have documents and a buyer under other keys too:
    # lock those before reading, so a concurrent batch cannot add a companion unseen.
    companions = repository.companion_keys(
        session,
        order_keys=batch_keys["order_keys"],
        logistics_keys=batch_keys["logistics_keys"],
        invt_nos=batch_keys["invt_nos"],
    ) - set(held)
    if wait_for_locks:
        repository.lock_more_keys(session, sorted(companions))
    else:
        repository.try_lock_more_keys(session, sorted(companions))
    known = repository.message_digests(session, [d.message.guid for d in live if d.message])
    ws = Workset(session)
    ws.expected_inventories = max(
        1, sum(len(d.keys) for d in live if d.message and d.message.message_type in INVENTORY_TYPES)
    )
    ws.expected_documents = sum(len(d.keys) for d in live)
    ws.load(**batch_keys)
    ws.add_enterprises({i.ebc_code for i in ws.inventories.values()})
    # An order, payment or waybill may complete an inventory declared earlier: its buyer's yearly
    # quota is then judged here too (its lock is among the companions).
    ws.load_quota(
        {
            i.buyer_id_number
            for i in ws.inventories.values()
            if i.status == S.STORED and i.direction == "I" and i.buyer_id_number
        }
    )

    # First pass: the border (guid reuse, sender); answers come back in the input's order.
    answers: list[list[ReceiptView] | None] = []
    accepted: list[Decoded] = []
    seen: dict[str, str] = {}
    for item in decoded:
        msg = item.message
        if msg is None:
            assert item.refusal is not None
            answers.append(refuse_whole(item, item.refusal, now))
            continue
        previous_sha = known.get(msg.guid) or seen.get(msg.guid)
        if previous_sha is not None:
            # An identical resubmission is answered once the batch is written (see below).
            answers.append(
                None
                if previous_sha == item.sha256
                else refuse_whole(item, guid_reused(msg.guid), now)
            )
            continue
        refusal = judge_sender(
            msg,
            item.data,
            ws.enterprises,
            submitter,
            app_statuses=[k.app_status for k in item.keys],
            verification=item.verification,
        )
        if refusal is not None:
            answers.append(refuse_whole(item, refusal, now))
            continue
        seen[msg.guid] = item.sha256
        accepted.append(item)
        answers.append([])
    if accepted:
        insert_rows(
            session.connection(),
            _MESSAGES,
            [
                {
                    "guid": item.message.guid,
                    "sha256": item.sha256,
                    "message_type": item.message.message_type,
                    "cop_code": sender_of(item.message),
                    "received_at": now,
                    "record_count": len(item.message.records),
                    "raw": item.data,
                }
                for item in accepted
                if item.message is not None
            ],
        )
    # Second pass: the records of accepted messages, in order.
    accepted_ids = {id(item) for item in accepted}
    with session.no_autoflush:
        for item, answer in zip(decoded, answers, strict=True):
            if answer is None or id(item) not in accepted_ids or item.message is None:
                continue
            msg = item.message
            records = zip(item.bodies, item.keys, item.problems, strict=True)
            for body, keys, problems in records:
                answer.append(_process_record(ws, ctx, msg, body, keys, problems, now, actor))
    settle(session)
    receipts: list[ReceiptView] = []
    for item, answer in zip(decoded, answers, strict=True):
        if answer is None:
            assert item.message is not None
            answer = [view_of(r) for r in repository.initial_receipts(session, item.message.guid)]
        receipts.extend(answer)
    return receipts


def _process_record(
    ws: Workset,
    ctx: ClearanceContext,
    msg: Message,
    record: dict[str, Any],
    keys: RecordKeys,
    problems: list[Problem],
    now: datetime,
    actor: str,
) -> ReceiptView:
    session = ws.session
    dt = DECLARATION_TYPES[msg.message_type]

    def refuse(reasons: tuple[str, ...], info: str = "") -> ReceiptView:
        return write_receipt(
            session,
            None,
            S.REFUSED,
            reasons,
            now=now,
            message_guid=msg.guid,
            initial=True,
            info=info,
            message_type=msg.message_type,
            record_guid=keys.guid,
            keys=keys.receipt_fields(),
            recipient=sender_of(msg),
        )

    if problems:
        info = "; ".join(f"{p.path}: {p.message_zh} / {p.message_en}" for p in problems)
        return refuse(tuple(dict.fromkeys(p.code for p in problems)), info)

    if dt.kind in (Kind.ARRIVAL, Kind.DEPARTURE):
        return clearance.handle_movement(ws, ctx, msg, dt, record, keys, now, actor)
    if dt.kind in (Kind.CANCEL, Kind.RETURN):
        return withdrawal.handle_withdrawal(ws, ctx, msg, dt, record, keys, now, actor)

    doc_key = parcel_keys.doc_key(dt.kind, keys)
    existing = ws.find_document(msg.message_type, doc_key)
    inventory = (
        ws.inventory_of_document(existing)
        if dt.kind == Kind.INVENTORY and existing is not None
        else None
    )
    live = existing is not None and existing.status not in (DELETED, S.REFUSED)
    if keys.app_type == "1" and live and existing is not None and existing.app_status == "2":
        return refuse(
            ("declaration.duplicate",),
            f"已存在相同编号的单证 {doc_key} / a document {doc_key} already exists",
        )
    if keys.app_type in ("2", "3"):
        if not live:
            return refuse(
                ("declaration.not_found",),
                f"要变更或删除的单证 {doc_key} 不存在 / no document {doc_key} to change",
            )
        if existing is not None and dt.kind != Kind.INVENTORY:
            inventory = _released_inventory(ws, existing)
        if inventory is not None and inventory.status in RELEASED_OR_LATER:
            return refuse(
                ("declaration.modify_after_release",),
                "清单已放行，不能变更或删除 / the inventory is released: no change",
            )

    if keys.app_type == "3" and existing is not None:
        existing.status = DELETED
        if inventory is not None and inventory.status != S.REFUSED:
            move_inventory(
                session,
                inventory,
                existing,
                Verdict(S.REFUSED, ("declaration.deleted",)),
                actor=actor,
                now=now,
                message_guid=existing.message_guid,
                initial=False,
            )
        return write_receipt(
            session,
            existing,
            S.STORED,
            (),
            now=now,
            message_guid=msg.guid,
            initial=True,
            keys=keys.receipt_fields(),
            info="删除成功 deleted",
        )

    status = S.TEMPORARILY_SAVED if keys.app_status == "1" else S.STORED
    cop = sender_of(msg)
    if existing is None:
        document = Document(
            id=0,
            message_guid=msg.guid,
            record_guid=keys.guid,
            message_type=msg.message_type,
            kind=dt.kind,
            direction=dt.direction,
            doc_key=doc_key,
            order_key=parcel_keys.order_key(keys),
            logistics_key=parcel_keys.logistics_key(keys),
            cop_code=cop,
            parties=parcel_keys.parties(keys, cop),
            app_status=keys.app_status,
            status=status,
            version=1,
            received_at=now,
            body=record,
        )
        ws.add_document(document)
    else:
        document = existing
        old_keys = (document.order_key, document.logistics_key)
        document.message_guid, document.record_guid = msg.guid, keys.guid
        document.body, document.app_status, document.status = record, keys.app_status, status
        document.version += 1
        document.received_at = now
        document.parties = parcel_keys.parties(keys, cop)
        document.order_key, document.logistics_key = (
            parcel_keys.order_key(keys),
            parcel_keys.logistics_key(keys),
        )
        ws.reindex_document(document, *old_keys)

    if dt.kind == Kind.INVENTORY:
        return clearance.declare_inventory(
            ws, ctx, document, inventory, record, keys, now, actor, msg.guid
        )
    receipt = write_receipt(
        session,
        document,
        status,
        (),
        now=now,
        message_guid=msg.guid,
        initial=True,
        keys=keys.receipt_fields(),
    )
    if status == S.STORED:
        clearance.recheck_waiting(ws, ctx, document, now, actor)
    return receipt


def _released_inventory(ws: Workset, document: Document) -> Inventory | None:
    """A released (or concluded) inventory this document was compared with, if any."""
    linked = ws.inventories_by_keys(
        order_keys=[document.order_key] if document.order_key else [],
        logistics_keys=[document.logistics_key] if document.logistics_key else [],
        statuses=RELEASED_OR_LATER,
    )
    return next((i for i in linked if i.direction == document.direction), None)


def _node_name(msg: Message) -> str:
    name = getattr(msg.records[0], "element_name", None) if msg.records else None
    return str(name) if name else "record"


def receipts_for(
    session: Session, message_guid: str, principal: Principal | None
) -> list[ReceiptView]:
    """Every receipt of a message; an enterprise sees only receipts addressed to it."""
    rows = repository.receipts_of_message(session, message_guid)
    if principal is not None and principal.enterprise_code is not None:
        rows = [r for r in rows if r.recipient == principal.enterprise_code]
    if not rows:
        raise NotFound(
            [
                Problem(
                    "receipt.not_found",
                    f"报文 {message_guid} 没有回执",
                    f"no receipts for message {message_guid}",
                )
            ]
        )
    return [view_of(r) for r in rows]


def declared_heads(session: Session, message_guid: str) -> dict[str, dict[str, Any]]:
    """The heads of a message's records as declared, from the archived bytes, by record guid."""
    row = repository.find_messages(session, [message_guid]).get(message_guid)
    if row is None:
        return {}
    message = decode(row.raw)
    heads: dict[str, dict[str, Any]] = {}
    for record in message.records:
        head = dict(head_of(record_to_json(record)))
        heads[str(head.get("guid", ""))] = head
    return heads


RETRYABLE_SQLSTATES = frozenset({"40P01", "40001", "23505"})  # deadlock, serialization, unique


def submit_with_retry(
    factory: sessionmaker[Session],
    ctx: ClearanceContext,
    payloads: Sequence[bytes],
    *,
    submitter: str | None = None,
    actor: str = "platform",
    attempts: int = 8,
) -> list[ReceiptView]:
    """`clear_with_retry` of the payloads, the border passed once."""
    decoded = decode_batch(payloads, ctx)
    return clear_with_retry(
        factory, ctx, decoded, submitter=submitter, actor=actor, attempts=attempts
    )


def clear_with_retry(
    factory: sessionmaker[Session],
    ctx: ClearanceContext,
    decoded: list[Decoded],
    *,
    submitter: str | None = None,
    actor: str = "platform",
    attempts: int = 8,
) -> list[ReceiptView]:
    """One batch in its own transaction, judged again when it met another batch on a parcel
    (PostgreSQL: a key held, a wait cycle broken by the database, a race to insert the same row).
    The batch is idempotent, so a retry judges it again from what is committed. The first
    attempts do not wait for keys reached through stored inventories (a busy key means: roll
    back, pause a moment, try again); the last ones wait. When every attempt met contention the
    batch is refused as `server.busy` (kit.admission.Busy), nothing of it stored."""
    for attempt in range(1, attempts + 1):
        try:
            with unit_of_work(factory) as session:
                return submit_decoded(
                    session,
                    ctx,
                    decoded,
                    submitter=submitter,
                    actor=actor,
                    wait_for_locks=attempt > attempts // 2,
                )
        except repository.LocksBusy:
            pass
        except DBAPIError as exc:
            state = getattr(exc.orig, "sqlstate", None)
            if state not in RETRYABLE_SQLSTATES:
                raise
            if attempt == attempts:  # contention, not a fault: nothing stored, send again
                raise busy() from exc
        time.sleep(random.uniform(0.002, 0.01) * attempt)  # noqa: S311 -- jitter only
    raise AssertionError("unreachable")
