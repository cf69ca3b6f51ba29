"""The console's one navigation: the workbenches a user's roles open, in the order of work."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from hotline.orgs.models import Role


@dataclass(frozen=True)
class Workbench:
    name: str  # URL name under the "console" namespace
    label: str
    roles: frozenset[str]
    key: str  # Alt+key opens it


R = Role
WORKBENCHES = [
    Workbench("intake", _("Intake"), frozenset({R.OPERATOR}), "1"),  # 受理
    Workbench("dispatch", _("Dispatch"), frozenset({R.DISPATCHER}), "2"),  # 派单
    Workbench("inbox", _("Unit inbox"), frozenset({R.HANDLER}), "3"),  # 承办
    Workbench("review", _("Review"), frozenset({R.REVIEWER}), "4"),  # 审核
    Workbench("callback", _("Callback"), frozenset({R.CALLBACK}), "5"),  # 回访
    Workbench("supervise", _("Supervision"), frozenset({R.SUPERVISOR}), "6"),  # 督办
    Workbench("orders", _("Search orders"), frozenset(Role.values), "7"),  # 工单查询
    Workbench("knowledge", _("Knowledge"), frozenset(Role.values), "8"),  # 知识库
    Workbench("settings", _("Settings"), frozenset({R.ADMINISTRATOR}), "9"),  # 配置
]


def workbenches_of(user) -> list[Workbench]:
    if not user.is_authenticated:
        return []
    roles = user.roles
    return [bench for bench in WORKBENCHES if roles.intersection(bench.roles)]


def context(request) -> dict:
    """Template context of every page: the navigation and the city's name."""
    is_fragment = request.headers.get("HX-Request") == "true"
    common = {
        "city_name": settings.HOTLINE_CITY_NAME,
        "city_code": settings.HOTLINE_CITY_CODE,
        "map_tiles": settings.HOTLINE_MAP_TILES_URL,
        "map_tiles_attribution": settings.HOTLINE_MAP_TILES_ATTRIBUTION,
        # An htmx request gets the page's content only, without the layout around it.
        "base_template": "console/fragment.html" if is_fragment else "console/base.html",
    }
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not request.path.startswith("/console"):
        return common
    match = getattr(request, "resolver_match", None)
    current = match.url_name if match else ""
    return {
        **common,
        "nav": [
            {
                "label": bench.label,
                "url": reverse(f"console:{bench.name}"),
                "key": bench.key,
                "is_current": current.startswith(bench.name),
            }
            for bench in workbenches_of(user)
        ],
    }
