"""The role matrix: what each back-office role may see and do. One table for both faces of
the system:

- the console's permission names ("app.codename") per role, synced into the role groups
  after every migrate (core.apps), so the console's pages and buttons follow it;
- the operations beyond rows (OPERATIONS: mark a PAF, decide a refund, approve a run...),
  each granted to one of core.roles' role sets, which the services check again.

The API asks it through `may` (core.api.permissions.MatrixPermission: every view names the
permission each of its actions needs). tests/core/test_role_matrix.py walks every role over
every API operation and every console list and compares the answers with this table.
"""

from __future__ import annotations

from . import roles
from .roles import User

_READ_CASES = {
    "cases.view_case",
    "cases.view_caseevent",
    "cases.view_booking",
    "cases.view_bookingevent",
    "cases.view_bookingline",
    "cases.view_customer",
    "cases.view_dispositiontag",
    "cases.view_task",
    "cases.change_task",
    "cases.view_notification",
    "cases.change_notification",
    "cases.view_teamlead",
    "cases.view_caseclock",
    "cases.view_clockfiring",
    "partners.view_partner",
    "partners.view_calendarslot",
    "partners.view_city",
    "partners.view_region",
    "partners.view_regioncalendar",
    "partners.view_closure",
    "payouts.view_partneratfault",
    "payouts.view_penalty",
    "payouts.view_mgplanexclusion",
    "policies.view_policyversion",
    "conversations.view_message",
    "conversations.view_attachment",
    "conversations.view_replytemplate",
    "conversations.view_survey",
}
# Case workers also read the inbound mail (its quarantine) and process it again.
_WORK_CASES = {"cases.add_case", "cases.change_case", "conversations.view_inboundmail"}
_PAYOUT_RUNS = {
    "payouts.view_payoutrun",
    "payouts.add_payoutrun",
    "payouts.change_payoutrun",
    "payouts.view_payoutline",
    "payouts.view_payoutrunentry",
}
_LEDGER = {"payouts.view_ledgerentry"}
# Policy backtests: supervisors and finance run and read them (backtests.selectors).
_BACKTESTS = {"backtests.view_backtest", "backtests.add_backtest"}
_REFUNDS_READ = {"payouts.view_refund"}
_REVERSALS_READ = {"payouts.view_reversalrequest"}
# The outbox's delivery log and its endpoints (never their secrets): supervisors read it;
# only administrators manage endpoints and send deliveries again (events.manage_webhooks).
_WEBHOOK_LOG = {
    "events.view_webhookendpoint",
    "events.view_delivery",
    "events.view_deliveryattempt",
    "events.view_outboxevent",
    "events.view_outgoingmail",
    "events.view_mailattempt",
}

# The operations the API and the console's buttons offer beyond seeing and editing rows,
# each granted to one of core.roles' role sets (the services check the same sets).
OPERATIONS: dict[str, frozenset[str]] = {
    "cases.work_case": roles.CASE_WORKERS,  # edit, note, move, call, run SOP flows
    "cases.push_records": frozenset({roles.SUPERVISOR}),  # customers, bookings, partners
    "cases.reassign_task": roles.CASE_WORKERS | roles.MONEY_DECIDERS,
    "partners.edit_calendar": roles.CASE_WORKERS,
    "payouts.mark_paf": roles.PAF_MARKERS,
    "payouts.review_paf": roles.PAF_REVIEWERS,
    "payouts.waive_penalty": roles.PAF_REVIEWERS,
    "payouts.log_reversal": roles.REVERSAL_LOGGERS,
    "payouts.decide_reversal": roles.MONEY_DECIDERS,
    "payouts.request_refund": roles.REFUND_REQUESTERS,
    "payouts.decide_refund": roles.MONEY_DECIDERS,
    "payouts.operate_run": roles.RUN_OPERATORS,  # create, compute, export
    "payouts.approve_run": roles.RUN_APPROVERS,  # approve, mark paid
    "policies.edit_policy": roles.POLICY_EDITORS,
    "events.manage_webhooks": frozenset(),  # administrators (superusers) only
    "backtests.run_backtest": frozenset({roles.SUPERVISOR, roles.FINANCE}),  # run, cancel
}

_CONSOLE: dict[str, frozenset[str]] = {
    roles.AGENT: frozenset(_READ_CASES | _WORK_CASES | _REFUNDS_READ | {"payouts.add_refund"}),
    roles.PARTNER_SUPPORT: frozenset(
        _READ_CASES
        | _WORK_CASES
        | _REVERSALS_READ
        | {"payouts.add_reversalrequest", "partners.change_partner"}
    ),
    roles.FINANCE: frozenset(
        _READ_CASES
        | _PAYOUT_RUNS
        | _LEDGER
        | _BACKTESTS
        | _REFUNDS_READ
        | _REVERSALS_READ
        | {"payouts.change_refund", "payouts.change_reversalrequest"}
    ),
    roles.SUPERVISOR: frozenset(
        _READ_CASES
        | _WORK_CASES
        | _PAYOUT_RUNS
        | _LEDGER
        | _BACKTESTS
        | _REFUNDS_READ
        | _REVERSALS_READ
        | _WEBHOOK_LOG
        | {
            "cases.reopen_case",
            "cases.change_booking",
            "cases.change_customer",
            "cases.change_teamlead",
            "cases.view_sweepstatus",
            "partners.change_partner",
            "partners.add_calendarslot",
            "partners.change_calendarslot",
            "partners.add_regioncalendar",
            "partners.add_closure",
            "policies.add_policyversion",
            "policies.change_policyversion",
            "conversations.add_replytemplate",
            "conversations.change_replytemplate",
            "axes.view_accessattempt",
            "axes.delete_accessattempt",
            "axes.view_accesslog",
        }
        | {
            f"payouts.{verb}_{model}"
            for verb in ("add", "change", "delete")
            for model in (
                "ledgerentry",
                "partneratfault",
                "payoutline",
                "payoutrun",
                "payoutrunentry",
                "penalty",
                "refund",
                "reversalrequest",
            )
        }
    ),
}


MATRIX: dict[str, frozenset[str]] = {
    role: permissions | {operation for operation, granted in OPERATIONS.items() if role in granted}
    for role, permissions in _CONSOLE.items()
}


def may(user: User | None, permission: str) -> bool:
    """Whether the user's role grants the permission (a superuser has every one)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if getattr(user, "is_superuser", False):
        return True
    return any(permission in MATRIX.get(name, ()) for name in roles.role_names(user))


def sync_role_permissions(apps=None, schema_editor=None, **kwargs) -> None:
    """Make each role group's console permissions exactly the matrix's (after every migrate,
    core.apps; the test database after its seeds). Permissions not created yet are skipped:
    the next migrate adds them."""
    registry = apps if apps is not None and hasattr(apps, "get_model") else None
    if registry is None:
        from django.apps import apps as registry
    Group = registry.get_model("auth", "Group")
    Permission = registry.get_model("auth", "Permission")
    wanted = set().union(*MATRIX.values())
    by_name = {
        f"{app}.{codename}": pk
        for pk, app, codename in Permission.objects.filter(
            codename__in={name.split(".", 1)[1] for name in wanted}
        ).values_list("pk", "content_type__app_label", "codename")
    }
    for role, permissions in MATRIX.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set([by_name[name] for name in permissions if name in by_name])
