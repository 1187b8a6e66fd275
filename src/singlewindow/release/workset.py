"""The rows one batch of messages works on, loaded in a few queries and indexed in memory.

The clearance path judges up to hundreds of messages per request; instead of a query per
document it loads every document, inventory, enterprise and quota row the batch's keys can
reach, keeps new rows in the same indexes, and lets the session write everything at the end.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from typing import Any

from sqlalchemy import ColumnElement, or_
from sqlalchemy.orm import Session

from singlewindow.db.keys import CHUNK, chunked, one_of
from singlewindow.declaration import rows
from singlewindow.declaration.repository import (
    INVENTORY_SERIAL,
    allocate_serials,
    reserve_document_ids,
)
from singlewindow.declaration.rows import Document, Inventory
from singlewindow.declaration.tables import DocumentRow, InventoryRow
from singlewindow.recording.service import remember_places
from singlewindow.registry import service as registry
from singlewindow.registry.domain import Enterprise
from singlewindow.tax import service as tax_service


def _any_of(dialect: str, *lists: tuple[Any, set[str]]) -> Iterable[ColumnElement[bool]]:
    """`column IN (...) OR ...` over the key lists, in statements of at most CHUNK keys."""
    parts = [(column, sorted(keys)) for column, keys in lists if keys]
    while parts:
        budget = CHUNK
        clauses = []
        rest = []
        for column, keys in parts:
            take, keys = keys[:budget], keys[budget:]
            if take:
                clauses.append(one_of(dialect, column, take))
                budget -= len(take)
            if keys:
                rest.append((column, keys))
        yield or_(*clauses)
        parts = rest


class Workset:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.documents: dict[tuple[str, str], Document] = {}
        self.by_order_key: dict[str, list[Document]] = defaultdict(list)
        self.by_logistics_key: dict[str, list[Document]] = defaultdict(list)
        self.inventories: dict[int, Inventory] = {}
        self.inventories_by_document: dict[int, Inventory] = {}
        self.inv_by_order_key: dict[str, list[Inventory]] = defaultdict(list)
        self.inv_by_logistics_key: dict[str, list[Inventory]] = defaultdict(list)
        self.inv_by_invt_no: dict[str, Inventory] = {}
        self.documents_by_id: dict[int, Document] = {}
        self.enterprises: dict[str, Enterprise] = {}
        self.quota = tax_service.quotas(session)
        self._free_ids: list[int] = []
        self._new_documents: dict[int, Document] = {}
        self._inventory_of_new_document: dict[int, Inventory] = {}
        self.expected_inventories = 1
        self.expected_documents = 1
        self._documents_added = 0
        self._free_document_ids: list[int] = []
        self._reserved_top = 0

    # -- loading --------------------------------------------------------------------------
    def load(
        self,
        *,
        order_keys: Collection[str],
        logistics_keys: Collection[str],
        doc_keys: Collection[str],
        invt_nos: Collection[str],
        enterprise_codes: Collection[str],
        buyers: Collection[str],
    ) -> None:
        order_keys, logistics_keys = set(order_keys) - {""}, set(logistics_keys) - {""}
        doc_keys, invt_nos = set(doc_keys) - {""}, set(invt_nos) - {""}
        # One statement per table (an OR of the key lists), so a row reached by two keys is
        # read once.
        dialect = self.session.get_bind().dialect.name
        for where in _any_of(
            dialect,
            (DocumentRow.order_key, order_keys),
            (DocumentRow.logistics_key, logistics_keys),
            (DocumentRow.doc_key, doc_keys),
        ):
            for row in rows.read(self.session, Document, where):
                self._index_document(row)
        for where in _any_of(
            dialect,
            (InventoryRow.order_key, order_keys),
            (InventoryRow.logistics_key, logistics_keys),
            (InventoryRow.invt_no, invt_nos),
        ):
            for inv in rows.read(self.session, Inventory, where):
                self._index_inventory(inv)
        # A document of this batch reaches an inventory by one key; the inventory's other
        # companions hang on its other key: load those too.
        second_round: tuple[tuple[Any, set[str]], ...] = (
            (DocumentRow.order_key, {i.order_key for i in self.inventories.values()} - order_keys),
            (
                DocumentRow.logistics_key,
                {i.logistics_key for i in self.inventories.values()} - logistics_keys,
            ),
        )
        for column, keys in second_round:
            for chunk in chunked(keys - {""}):
                for row in rows.read(self.session, Document, one_of(dialect, column, chunk)):
                    self._index_document(row)
        missing_docs = {
            i.document_id for i in self.inventories.values()
        } - self.documents_by_id.keys()
        for row in rows.documents_by_ids(self.session, missing_docs).values():
            self._index_document(row)
        self.add_enterprises(enterprise_codes)
        self.load_quota(buyers)

    def add_enterprises(self, codes: Collection[str]) -> None:
        wanted = set(codes) - self.enterprises.keys() - {""}
        if wanted:
            found = registry.get_enterprises(self.session, wanted)
            self.enterprises.update(found)
            # The roll-up recorder files each move under the seller's county and park.
            remember_places(
                self.session, {c: (e.county or "", e.park or "") for c, e in found.items()}
            )

    def load_quota(self, buyers: Collection[str]) -> None:
        tax_service.load_quotas(self.session, buyers)

    # -- indexes --------------------------------------------------------------------------
    def _index_document(self, row: Document) -> None:
        if row.id is not None and row.id in self.documents_by_id:
            return
        if row.id is not None:
            self.documents_by_id[row.id] = row
        self.documents[(row.message_type, row.doc_key)] = row
        if row.order_key:
            self.by_order_key[row.order_key].append(row)
        if row.logistics_key:
            self.by_logistics_key[row.logistics_key].append(row)

    def _index_inventory(self, inv: Inventory) -> None:
        if inv.id in self.inventories:
            return
        self.inventories[inv.id] = inv
        if inv.document_id is not None:
            self.inventories_by_document[inv.document_id] = inv
        self.inv_by_order_key[inv.order_key].append(inv)
        self.inv_by_logistics_key[inv.logistics_key].append(inv)
        if inv.invt_no:
            self.inv_by_invt_no[inv.invt_no] = inv

    def add_document(self, row: Document) -> None:
        """A new document of the batch: it takes a reserved id and is written by one Core
        statement when the session next flushes (see `write_new_documents`)."""
        if not self._free_document_ids:
            self._free_document_ids = reserve_document_ids(
                self.session,
                max(self.expected_documents - self._documents_added, 16),
                above=self._reserved_top,
            )
            self._reserved_top = max(self._free_document_ids)
            self._free_document_ids.reverse()
        row.id = self._free_document_ids.pop()
        self._documents_added += 1
        rows.track(self.session, row)
        self._index_document(row)

    def reindex_document(self, row: Document, old_order_key: str, old_logistics_key: str) -> None:
        if old_order_key != row.order_key:
            if old_order_key and row in self.by_order_key[old_order_key]:
                self.by_order_key[old_order_key].remove(row)
            if row.order_key:
                self.by_order_key[row.order_key].append(row)
        if old_logistics_key != row.logistics_key:
            if old_logistics_key and row in self.by_logistics_key[old_logistics_key]:
                self.by_logistics_key[old_logistics_key].remove(row)
            if row.logistics_key:
                self.by_logistics_key[row.logistics_key].append(row)

    def new_inventory_id(self) -> int:
        """Inventory ids (and so their invtNo serials) are reserved in one block per batch."""
        if not self._free_ids:
            self._free_ids = allocate_serials(
                self.session, INVENTORY_SERIAL, self.expected_inventories
            )
        return self._free_ids.pop(0)

    def add_inventory(self, inv: Inventory, document: Document) -> None:
        inv.document_id = document.id
        self._new_documents[inv.id] = document
        rows.track(self.session, inv)
        self._index_inventory(inv)
        self._inventory_of_new_document[id(document)] = inv

    def set_invt_no(self, inv: Inventory, invt_no: str) -> None:
        inv.invt_no = invt_no
        self.inv_by_invt_no[invt_no] = inv

    # -- lookups --------------------------------------------------------------------------
    def find_document(self, message_type: str, doc_key: str) -> Document | None:
        return self.documents.get((message_type, doc_key))

    def documents_by_order_key(self, message_types: Collection[str], key: str) -> list[Document]:
        return [d for d in self.by_order_key.get(key, ()) if d.message_type in message_types]

    def documents_by_logistics_key(
        self, message_types: Collection[str], key: str
    ) -> list[Document]:
        return [d for d in self.by_logistics_key.get(key, ()) if d.message_type in message_types]

    def inventory_of_document(self, document: Document) -> Inventory | None:
        if document.id is not None and document.id in self.inventories_by_document:
            return self.inventories_by_document[document.id]
        return self._inventory_of_new_document.get(id(document))

    def inventories_by_keys(
        self,
        *,
        order_keys: Iterable[str] = (),
        logistics_keys: Iterable[str] = (),
        statuses: Collection[str] | None = None,
    ) -> list[Inventory]:
        found: dict[int, Inventory] = {}
        for key in order_keys:
            for inv in self.inv_by_order_key.get(key, ()):
                found[inv.id] = inv
        for key in logistics_keys:
            for inv in self.inv_by_logistics_key.get(key, ()):
                found[inv.id] = inv
        return [i for i in found.values() if statuses is None or i.status in statuses]

    def document_of(self, inventory: Inventory) -> Document:
        if inventory.id in self._new_documents:
            return self._new_documents[inventory.id]
        doc = self.documents_by_id.get(inventory.document_id)
        if doc is None:
            doc = rows.documents_by_ids(self.session, [inventory.document_id])[
                inventory.document_id
            ]
            self._index_document(doc)
        return doc
