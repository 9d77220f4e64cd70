"""A system check (run by `manage.py check`, `migrate`, `runserver` and the test suite): every
API operation that MatrixPermission guards names its permission, and the name is one the role
matrix (core.access) knows. A view's `operations` map is then only a lookup into the matrix:
a typo, or an action added without its permission (which MatrixPermission would let every
back-office role through), stops the start instead of shipping."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.core import checks
from django.urls import URLPattern, URLResolver, get_resolver

from .. import access
from .permissions import MatrixPermission

# The HTTP methods a plain APIView answers through a handler of its own (HEAD and OPTIONS
# follow GET and the schema).
_METHODS = ("get", "post", "put", "patch", "delete")


def known_permissions() -> frozenset[str]:
    """Every permission name the matrix grants some role, and every operation it lists (an
    operation granted to no role, like managing webhooks, is still a name: superusers hold it)."""
    return frozenset().union(*access.MATRIX.values(), access.OPERATIONS)


def _callbacks(patterns: list, prefix: str = "") -> Iterator[tuple[str, Any]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _callbacks(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def _guarded_actions(callback: Any) -> Iterator[str]:
    """The action names (viewsets) or HTTP methods (plain views) the route answers."""
    view = callback.cls
    actions = getattr(callback, "actions", None)
    if actions:  # a viewset route: {"get": "list", "post": "create"}
        yield from actions.values()
        return
    yield from (m for m in _METHODS if hasattr(view, m) and m in view.http_method_names)


def operation_problems(patterns: list | None = None) -> list[str]:
    """What is wrong, one line per operation: an unknown permission name, or a guarded
    operation without one."""
    known = known_permissions()
    problems: list[str] = []
    seen: set[tuple[type, str]] = set()
    for route, callback in _callbacks(patterns or get_resolver().url_patterns):
        view = getattr(callback, "cls", None)
        if view is None or MatrixPermission not in getattr(view, "permission_classes", ()):
            continue
        operations: dict[str, str] = getattr(view, "operations", {})
        for name in _guarded_actions(callback):
            if (view, name) in seen:
                continue
            seen.add((view, name))
            action = getattr(view, "action", None)
            needed = operations.get(name) or (operations.get(action) if action else None)
            if needed is None:
                problems.append(f"{view.__name__}.{name} ({route}) names no permission")
            elif needed not in known:
                problems.append(
                    f"{view.__name__}.{name} ({route}) needs {needed!r}, which the role "
                    "matrix does not know"
                )
    return problems


@checks.register(checks.Tags.security)
def check_api_operations(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    return [
        checks.Error(problem, hint="Name a permission of core.access.", id="casework.E001")
        for problem in operation_problems()
    ]
