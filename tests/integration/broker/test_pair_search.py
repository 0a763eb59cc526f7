"""The console's pair search: by a ticket or work order id (an index lookup) and by the label's text, the two
merged newest first."""

from __future__ import annotations

from cryptography.fernet import Fernet

from fieldbridge.store.database import Database
from fieldbridge.store.secrets import SecretBox
from fieldbridge.store.tables import Link
from fieldbridge.sync.tables import PairLabel
from fieldbridge.web.console import pair_list
from tests.integration.broker.store_helpers import NOW, add_connector


def _pair(db: Database, connector_id: int, ticket_id: int, work_order_id: int, title: str | None) -> int:
    with db.transaction() as session:
        link = Link(
            connector_id=connector_id,
            autotask_entity="Ticket",
            autotask_id=ticket_id,
            fieldnation_entity="WorkOrder",
            fieldnation_id=work_order_id,
            fingerprint="",
            synced_at=NOW,
        )
        session.add(link)
        session.flush()
        if title is not None:
            session.add(PairLabel(link_id=link.id, ticket_number=f"T2025.{ticket_id}", title=title))
        return link.id


def test_an_id_finds_its_pair_beside_the_labels_that_contain_it(db: Database) -> None:
    connector_id = add_connector(db, SecretBox(Fernet.generate_key()))
    by_ticket = _pair(db, connector_id, 501, 9001, None)  # not labelled yet: found by its id alone
    by_work_order = _pair(db, connector_id, 502, 501, "Printer")
    by_title = _pair(db, connector_id, 503, 9003, "Replace switch 501")
    _pair(db, connector_id, 504, 9004, "Firewall")
    with db.transaction() as session:
        found = [row.link_id for row in pair_list.search(session, "acme", " 501 ", None)]
        older = [row.link_id for row in pair_list.search(session, None, "501", by_work_order)]
        work_order = [row.link_id for row in pair_list.search(session, None, "9001", None)]
    assert found == [by_title, by_work_order, by_ticket]
    assert older == [by_ticket]
    assert work_order == [by_ticket]
