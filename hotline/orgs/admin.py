from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import (
    ApiToken,
    Area,
    Category,
    Hotline,
    Place,
    ResponsibilityRule,
    RoleGrant,
    Unit,
    User,
)


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "area", "aliases", "lat", "lng", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "aliases", "area__name"]
    autocomplete_fields = ["area"]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "short_name", "kind", "parent", "phone", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name", "short_name"]
    autocomplete_fields = ["parent", "areas"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent", "is_active"]
    list_filter = ["level", "is_active"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]


@admin.register(ResponsibilityRule)
class ResponsibilityRuleAdmin(admin.ModelAdmin):
    list_display = ["number", "matter", "category", "lead_unit", "is_active"]
    list_filter = ["is_active", "lead_unit__kind"]
    search_fields = ["matter", "keywords", "legal_basis"]
    autocomplete_fields = ["category", "lead_unit", "co_units", "areas"]


@admin.register(Hotline)
class HotlineAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "unit", "starts_at", "ends_at", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["unit"]


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    extra = 1


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "unit", "role_list", "is_active"]
    list_filter = ["role_grants__role", "is_active", "unit__kind"]
    search_fields = ["username", "full_name", "unit__name"]
    autocomplete_fields = ["unit"]
    inlines = [RoleGrantInline]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        (_("Hotline"), {"fields": ["full_name", "unit", "phone"]}),
    ]

    @admin.display(description=_("roles"))
    def role_list(self, user):
        return "、".join(grant.get_role_display() for grant in user.role_grants.all())

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("unit").prefetch_related("role_grants")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "revoked_at"]
    readonly_fields = ["prefix", "created_at"]
    fields = ["user", "name", "prefix", "created_at", "revoked_at"]

    def has_add_permission(self, request):
        return False  # keys are issued by POST /api/auth/token or `hotline token`
