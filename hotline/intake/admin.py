from django.contrib import admin

from .models import Correction, ModelVersion, NuisanceCall


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
