"""The console's menu: each role sees only what it may use (the role matrix), in the words of
its work. Internal tables (run entries, ledger rows, clock firings) are on nobody's menu but
finance's reports."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse, reverse_lazy

from core.access import may

from .middleware import SESSION_KEY


def _may(*permissions: str) -> Callable[[HttpRequest], bool]:
    def check(request: HttpRequest) -> bool:
        return any(may(request.user, p) for p in permissions)

    return check


def _item(title: str, icon: str, url: str, *permissions: str) -> dict:
    item = {"title": title, "icon": icon, "link": reverse_lazy(url)}
    if permissions:
        item["permission"] = _may(*permissions)
    return item


def _role(*names: str) -> Callable[[HttpRequest], bool]:
    from core import roles

    def check(request: HttpRequest) -> bool:
        return roles.has_role(request.user, names)

    return check


NAVIGATION = [
    {
        "title": "Work",
        "items": [
            _item("Home", "home", "admin:index"),
            _item("Cases", "support_agent", "admin:cases_case_changelist", "cases.view_case"),
            _item("Tasks", "task_alt", "admin:cases_task_changelist", "cases.view_task"),
            _item(
                "Notifications",
                "notifications",
                "admin:cases_notification_changelist",
                "cases.view_notification",
            ),
        ],
    },
    {
        "title": "Customers and jobs",
        "items": [
            _item("Customers", "person", "admin:cases_customer_changelist", "cases.view_customer"),
            _item("Bookings", "event", "admin:cases_booking_changelist", "cases.view_booking"),
            _item(
                "Partners",
                "engineering",
                "admin:partners_partner_changelist",
                "partners.view_partner",
            ),
            _item(
                "Partner calendars",
                "calendar_month",
                "admin:partners_calendarslot_changelist",
                "partners.view_calendarslot",
            ),
        ],
    },
    {
        "title": "Partner quality",
        "items": [
            _item(
                "PAF marks",
                "report",
                "admin:payouts_partneratfault_changelist",
                "payouts.view_partneratfault",
            ),
            _item("Penalties", "gavel", "admin:payouts_penalty_changelist", "payouts.view_penalty"),
            _item(
                "Reversal requests",
                "undo",
                "admin:payouts_reversalrequest_changelist",
                "payouts.view_reversalrequest",
            ),
        ],
    },
    {
        "title": "Money",
        "items": [
            _item(
                "Refunds",
                "currency_exchange",
                "admin:payouts_refund_changelist",
                "payouts.view_refund",
            ),
            _item(
                "Payout runs",
                "payments",
                "admin:payouts_payoutrun_changelist",
                "payouts.view_payoutrun",
            ),
        ],
    },
    {
        "title": "Finance reports",
        "collapsible": True,
        "items": [
            {
                "title": "Ledger entries",
                "icon": "receipt_long",
                "link": reverse_lazy("admin:payouts_ledgerentry_changelist"),
                "permission": _role("finance"),
            },
            {
                "title": "Payout lines",
                "icon": "list_alt",
                "link": reverse_lazy("admin:payouts_payoutline_changelist"),
                "permission": _role("finance"),
            },
        ],
    },
    {
        "title": "Supervision",
        "items": [
            {
                "title": "Dashboard",
                "icon": "monitoring",
                "link": reverse_lazy("console-dashboard"),
                "permission": _role("supervisor", "finance"),
            },
            _item(
                "Policy versions",
                "policy",
                "admin:policies_policyversion_changelist",
                "policies.view_policyversion",
            ),
            _item(
                "Policy backtests",
                "query_stats",
                "admin:backtests_backtest_changelist",
                "backtests.view_backtest",
            ),
            _item(
                "Working calendars",
                "schedule",
                "admin:partners_regioncalendar_changelist",
                "partners.add_regioncalendar",
            ),
            _item(
                "Closures",
                "event_busy",
                "admin:partners_closure_changelist",
                "partners.add_closure",
            ),
            _item(
                "Team leads", "groups", "admin:cases_teamlead_changelist", "cases.change_teamlead"
            ),
            _item(
                "Sign-in lockouts",
                "lock",
                "admin:axes_accessattempt_changelist",
                "axes.view_accessattempt",
            ),
            _item("Users", "manage_accounts", "admin:auth_user_changelist", "auth.view_user"),
        ],
    },
    {
        "title": "Conversations",
        "items": [
            _item(
                "Inbound e-mail",
                "move_to_inbox",
                "admin:conversations_inboundmail_changelist",
                "conversations.view_inboundmail",
            ),
            _item(
                "Messages",
                "forum",
                "admin:conversations_message_changelist",
                "conversations.view_message",
            ),
        ],
    },
    {
        "title": "Events out",
        "items": [
            _item(
                "Webhook endpoints",
                "webhook",
                "admin:events_webhookendpoint_changelist",
                "events.view_webhookendpoint",
            ),
            _item(
                "Deliveries",
                "outbox",
                "admin:events_delivery_changelist",
                "events.view_delivery",
            ),
            _item(
                "Outgoing e-mail",
                "mail",
                "admin:events_outgoingmail_changelist",
                "events.view_outgoingmail",
            ),
        ],
    },
]


def sidebar(request: HttpRequest) -> list[dict]:
    """The menu for this user: the items their role may use, groups left empty dropped."""
    groups = []
    for group in NAVIGATION:
        items = [
            {key: value for key, value in item.items() if key != "permission"}
            for item in group["items"]
            if item.get("permission") is None or item["permission"](request)
        ]
        if items:
            groups.append({**group, "items": items})
    return groups


def templates(request: HttpRequest) -> dict:
    """Context processor: the theme includes `templates.navigation` as its sidebar when set."""
    return {"templates": {"navigation": "console/navigation.html"}}


def account_links(request: HttpRequest) -> list[dict]:
    """The user menu: the zone this user reads times in (and where to change it), and the
    password page the theme shows when no links are configured."""
    if not request.user.is_authenticated:
        return []
    zone = request.session.get(SESSION_KEY) or settings.TIME_ZONE
    links = [{"title": f"Time zone: {zone}", "link": reverse("console-time-zone")}]
    if request.user.has_usable_password():
        links.append({"title": "Change password", "link": reverse("admin:password_change")})
    return links
