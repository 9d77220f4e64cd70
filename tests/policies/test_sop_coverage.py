"""docs/sop-coverage.md stays true: named functions and tests exist, no decision is left out."""

import ast
import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "sop-coverage.md"
TESTS = Path(__file__).resolve().parent
SOP_MODULES = {
    "revisits": "policies.sop.revisits",
    "l1": "policies.sop.l1",
    "pre_services": "policies.sop.pre_services",
    "oos": "policies.sop.oos",
    "followups": "policies.sop.followups",
    "painting": "policies.sop.painting",
    "calendar": "policies.calendar",
}


def _public_functions(module_name: str):
    """The public functions a SOP module (or each module of a SOP package) defines."""
    module = importlib.import_module(SOP_MODULES[module_name])
    modules = [module]
    if hasattr(module, "__path__"):
        modules += [
            importlib.import_module(f"{module.__name__}.{info.name}")
            for info in pkgutil.iter_modules(module.__path__)
        ]
    for defining in modules:
        for name, value in vars(defining).items():
            if (
                inspect.isfunction(value)
                and value.__module__ == defining.__name__
                and not name.startswith("_")
            ):
                yield name


@pytest.fixture(scope="module")
def doc() -> str:
    return DOC.read_text()


def test_every_named_function_exists(doc):
    named = set(re.findall(r"`(\w+)\.(\w+)`", doc))
    assert named
    for module_name, function in named:
        if module_name not in SOP_MODULES:
            continue  # e.g. `Decision.to_dict`
        module = importlib.import_module(SOP_MODULES[module_name])
        assert callable(getattr(module, function, None)), f"{module_name}.{function}"


def test_every_named_test_exists(doc):
    named = set(re.findall(r"`(test_\w+\.py)::(test_\w+)`", doc))
    assert named
    for filename, test in named:
        tree = ast.parse((TESTS / filename).read_text())
        defined = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
        assert test in defined, f"{filename}::{test}"


@pytest.mark.parametrize("module_name", SOP_MODULES)
def test_every_public_decision_function_is_in_the_table(doc, module_name):
    names = list(_public_functions(module_name))
    assert names
    for name in names:
        assert f"`{module_name}.{name}`" in doc, f"{module_name}.{name} missing from the doc"
