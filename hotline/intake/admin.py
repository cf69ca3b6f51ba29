from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import clients
from .models import (
    ChannelClient,
    ChannelMessage,
    Correction,
    ModelVersion,
    NuisanceCall,
    OnlineService,
    ServiceAttribute,
)


@admin.register(ModelVersion)
class ModelVersionAdmin(admin.ModelAdmin):
    list_display = ["number", "trained_at", "trained_by", "examples", "held_back", "is_current"]
    exclude = ["data"]
    readonly_fields = [
        "number",
        "trained_at",
        "trained_by",
        "examples",
        "held_back",
        "corrections",
        "report",
        "size",
        "is_current",
    ]

    def has_add_permission(self, request):  # versions come from `hotline train`
        return False


@admin.register(Correction)
class CorrectionAdmin(admin.ModelAdmin):
    list_display = ["order", "field", "stage", "suggested", "chosen", "is_accepted", "by", "at"]
    list_filter = ["field", "stage", "is_accepted"]
    raw_id_fields = ["order"]


@admin.register(NuisanceCall)
class NuisanceCallAdmin(admin.ModelAdmin):
    list_display = ["phone", "kind", "at", "by", "note"]
    list_filter = ["kind"]
    search_fields = ["phone"]


@admin.register(ChannelClient)
class ChannelClientAdmin(admin.ModelAdmin):
    """Clients and their keys: a new client's key is shown once, after saving."""

    list_display = ["name", "prefix", "rate_per_minute", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "contact", "prefix"]
    readonly_fields = ["prefix", "created_at", "last_used_at", "revoked_at"]
    fields = ["name", "contact", "rate_per_minute", *readonly_fields]
    actions = ["revoke_keys", "renew_keys"]

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        key = ChannelClient.new_key()
        obj.set_key(key)
        super().save_model(request, obj, form, change)
        show_key(request, obj, key)

    @admin.action(description=gettext_lazy("Revoke the keys of the selected clients"))
    def revoke_keys(self, request, queryset):
        for client in queryset:
            clients.revoke(client)
        messages.success(request, _("Revoked."))

    @admin.action(description=gettext_lazy("Give the selected clients new keys"))
    def renew_keys(self, request, queryset):
        for client in queryset:
            show_key(request, client, clients.renew(client))


def show_key(request, client: ChannelClient, key: str) -> None:
    messages.warning(
        request,
        _("The key of %(name)s is %(key)s — copy it now, it is not shown again.")
        % {"name": client.name, "key": key},
    )


class ServiceAttributeInline(admin.TabularInline):
    model = ServiceAttribute
    extra = 0


@admin.register(OnlineService)
class OnlineServiceAdmin(admin.ModelAdmin):
    list_display = ["category", "type", "is_published", "keywords"]
    list_filter = ["type", "is_published"]
    autocomplete_fields = ["category"]
    inlines = [ServiceAttributeInline]


@admin.register(ChannelMessage)
class ChannelMessageAdmin(admin.ModelAdmin):
    """What the channels sent, as received: for tracing, not for editing."""

    list_display = ["received_at", "channel", "source_ref", "client", "state", "order"]
    list_filter = ["channel", "state"]
    search_fields = ["source_ref", "token", "order__number"]
    readonly_fields = [f.name for f in ChannelMessage._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
