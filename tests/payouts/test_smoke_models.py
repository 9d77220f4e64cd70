"""The payouts schema migrates and its constraints exist."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_ledger_has_append_only_trigger():
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'payouts_ledgerentry'::regclass "
            "AND NOT tgisinternal"
        )
        assert cur.fetchone()[0] >= 1
