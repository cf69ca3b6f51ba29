from django.contrib import admin

from .models import (
    CollaborationRequest,
    KnowledgeFeedback,
    KnowledgeItem,
    KnowledgeSearch,
    KnowledgeUse,
    KnowledgeVersion,
    SynonymGroup,
)


class VersionInline(admin.TabularInline):
    model = KnowledgeVersion
    extra = 0
    fields = ["number", "title", "state", "written_by", "written_at", "reviewed_by"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):  # versions are written through the service
        return False


@admin.register(KnowledgeItem)
class KnowledgeItemAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "owner_unit", "status", "valid_until", "updated_at"]
    list_filter = ["kind", "status"]
    search_fields = ["versions__title", "tags"]
    autocomplete_fields = ["owner_unit", "areas"]
    readonly_fields = ["status", "published", "created_at", "updated_at"]
    inlines = [VersionInline]


@admin.register(CollaborationRequest)
class CollaborationRequestAdmin(admin.ModelAdmin):
    list_display = ["subject", "unit", "state", "due_at", "asked_by", "answered_at", "closed_at"]
    list_filter = ["state"]
    search_fields = ["subject", "unit__name"]
    raw_id_fields = ["item", "answer"]
    autocomplete_fields = ["unit"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records of use: kept as they happened, never edited by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(KnowledgeUse)
class KnowledgeUseAdmin(ReadOnlyAdmin):
    list_display = ["item", "version", "order", "rank", "by", "at"]
    list_select_related = ["item__published", "version", "order", "by"]


@admin.register(KnowledgeFeedback)
class KnowledgeFeedbackAdmin(ReadOnlyAdmin):
    list_display = ["item", "is_helpful", "comment", "by", "at"]
    list_filter = ["is_helpful"]
    list_select_related = ["item__published", "by"]


@admin.register(KnowledgeSearch)
class KnowledgeSearchAdmin(ReadOnlyAdmin):
    list_display = ["query", "results", "coverage", "source", "by", "at"]
    list_filter = ["source"]
    search_fields = ["query"]


@admin.register(SynonymGroup)
class SynonymGroupAdmin(admin.ModelAdmin):
    list_display = ["words", "is_active", "updated_at"]
    list_filter = ["is_active"]
    search_fields = ["words"]
