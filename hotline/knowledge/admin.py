from django.contrib import admin

from .models import CollaborationRequest, KnowledgeItem, KnowledgeVersion


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
