"""The run entry links' references, kept by statement-level triggers instead of foreign keys
(payouts.models.runs: RUN_ENTRY_REFERENCES, RUN_KEEPS_ITS_LINKS): whatever writes the
table, a link names an existing run and an existing ledger entry, a run that holds links is
not deleted, and a link is never changed."""

import threading
from decimal import Decimal

import pytest
from django.db import IntegrityError, ProgrammingError, connection, connections, transaction

from payouts import services
from payouts.models import PayoutRun, PayoutRunEntry
from tests.factories import LedgerEntryFactory, PartnerFactory, PayoutRunFactory

MISSING = 987_654_321


def _sql(statement: str, params: list) -> None:
    with connection.cursor() as cur:
        cur.execute(statement, params)


@pytest.mark.django_db
def test_a_link_to_a_missing_ledger_entry_is_refused():
    run = PayoutRunFactory()
    refused = pytest.raises(IntegrityError, match="ledger entry that does not exist")
    with refused, transaction.atomic():
        _sql(
            "INSERT INTO payouts_payoutrunentry (entry_id, run_id) VALUES (%s, %s)",
            [MISSING, run.pk],
        )
    assert not PayoutRunEntry.objects.exists()


@pytest.mark.django_db
def test_a_link_to_a_missing_run_is_refused_even_among_good_ones():
    run = PayoutRunFactory()
    entries = LedgerEntryFactory.create_batch(3, partner=PartnerFactory())
    links = [PayoutRunEntry(entry=e, run_id=run.pk) for e in entries[:2]]
    links.append(PayoutRunEntry(entry=entries[2], run_id=MISSING))
    refused = pytest.raises(IntegrityError, match="payout run that does not exist")
    with refused, transaction.atomic():
        PayoutRunEntry.objects.bulk_create(links)
    assert not PayoutRunEntry.objects.exists()
    PayoutRunEntry.objects.bulk_create([PayoutRunEntry(entry=e, run=run) for e in entries])
    assert PayoutRunEntry.objects.filter(run=run).count() == 3


@pytest.mark.django_db
def test_a_run_that_holds_links_is_not_deleted_behind_the_orms_back():
    entry = LedgerEntryFactory(partner=PartnerFactory(), amount=Decimal("10.00"))
    run = PayoutRunFactory()
    PayoutRunEntry.objects.create(entry=entry, run=run)
    with pytest.raises(IntegrityError, match="cannot be deleted"), transaction.atomic():
        _sql("DELETE FROM payouts_payoutrun WHERE id = %s", [run.pk])
    assert PayoutRun.objects.filter(pk=run.pk).exists()
    # The ORM deletes the links first (on_delete=CASCADE), as discarding a run does.
    run.delete()
    assert not PayoutRunEntry.objects.exists()


@pytest.mark.django_db
def test_a_link_is_never_changed():
    partner = PartnerFactory()
    first, second = LedgerEntryFactory.create_batch(2, partner=partner)
    run = PayoutRunFactory(state="paid")
    other = PayoutRunFactory(region=run.region)
    PayoutRunEntry.objects.create(entry=first, run=run)
    with pytest.raises(ProgrammingError, match="Cannot update rows"), transaction.atomic():
        PayoutRunEntry.objects.filter(entry=first).update(run=other)
    with pytest.raises(ProgrammingError, match="Cannot update rows"), transaction.atomic():
        _sql(
            "UPDATE payouts_payoutrunentry SET entry_id = %s WHERE entry_id = %s",
            [second.pk, first.pk],
        )
    assert PayoutRunEntry.objects.get().run_id == run.pk


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_run_deleted_while_another_connection_links_to_it_leaves_no_links():
    """The links' statement locks the run FOR KEY SHARE, as a foreign key would: a delete of
    the run on another connection waits for it, then finds the links and is refused."""
    entry = LedgerEntryFactory(partner=PartnerFactory(), amount=Decimal("10.00"))
    run = PayoutRunFactory()
    linked, deleting_done = threading.Event(), threading.Event()
    outcome: dict = {}

    def delete_the_run():
        linked.wait(timeout=10)
        try:
            with connections["default"].cursor() as cur:
                cur.execute("DELETE FROM payouts_payoutrun WHERE id = %s", [run.pk])
            outcome["deleted"] = True
        except IntegrityError as exc:
            outcome["refused"] = str(exc)
        finally:
            deleting_done.set()
            connections.close_all()

    thread = threading.Thread(target=delete_the_run)
    thread.start()
    with transaction.atomic():
        PayoutRunEntry.objects.create(entry=entry, run=run)
        linked.set()
        # The delete is blocked on the run's key-share lock while this transaction is open.
        assert not deleting_done.wait(timeout=1.5)
    thread.join(timeout=15)
    assert "refused" in outcome, outcome
    assert PayoutRunEntry.objects.filter(run_id=run.pk).count() == 1
    assert PayoutRun.objects.filter(pk=run.pk).exists()


@pytest.mark.django_db
def test_a_computed_run_still_links_every_entry_once():
    first = PartnerFactory()
    partners = [first] + [PartnerFactory(city=first.city) for _ in range(3)]
    for partner in partners:
        LedgerEntryFactory.create_batch(5, partner=partner, amount=Decimal("10.00"))
    run = PayoutRunFactory(region=first.city.region, currency=first.city.region.currency)
    services.compute_payout_run(run_id=run.pk, batch_size=2)
    links = PayoutRunEntry.objects.filter(run=run)
    assert links.count() == 20
    assert links.values("entry").distinct().count() == 20
