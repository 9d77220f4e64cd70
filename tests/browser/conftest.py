"""Browser fixtures: reference data that survives the live server's flushes."""

import importlib
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth.models import Group

from cases.models import DispositionTag
from partners.models import City
from policies.models import PolicyVersion
from tests.conftest import SEED_MIGRATIONS


@pytest.fixture
def reference_data(transactional_db):
    """Cities, tags, role groups and the policy version, seeded again when missing.

    Serialized rollback restores what the database held when the session serialized it;
    with --reuse-db after an earlier flush that can be nothing. The seed functions are
    idempotent, so running them again is safe.
    """
    models = (Group, City, DispositionTag, PolicyVersion)
    if not all(model.objects.exists() for model in models):
        for module, func in SEED_MIGRATIONS:
            getattr(importlib.import_module(module), func)(apps, None)


ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


@pytest.fixture
def artifacts() -> Path:
    """Where journeys save their screenshots (tests/artifacts/, ignored by git)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
