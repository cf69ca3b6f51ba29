"""Admin of work orders: read and search; changes of state go through the lifecycle only."""

from django.contrib import admin

from .models import Attachment, CallbackAttempt, ExtensionRequest, Notice, OrderEvent, WorkOrder


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class EventInline(ReadOnlyInline):
    model = OrderEvent
    fields = ["at", "action", "from_status", "to_status", "actor", "actor_unit", "note"]
    readonly_fields = fields


class ExtensionInline(ReadOnlyInline):
    model = ExtensionRequest
    fields = ["unit", "days", "reason", "state", "days_granted", "decided_by", "decided_at"]
    readonly_fields = fields


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    fields = ["name", "content_type", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields


@admin.register(WorkOrder)
class WorkOrderAdmin(admin.ModelAdmin):
    list_display = [
        "number",
        "title",
        "request_type",
        "status",
        "urgency",
        "lead_unit",
        "due_at",
        "is_overdue",
        "registered_at",
    ]
    list_filter = ["status", "request_type", "urgency", "channel", "is_overdue", "escalation"]
    search_fields = ["number", "title", "caller_phone", "address"]
    date_hierarchy = "registered_at"
    list_select_related = ["lead_unit"]
    inlines = [EventInline, ExtensionInline, AttachmentInline]
    readonly_fields = [f.name for f in WorkOrder._meta.fields] + ["co_units", "related"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False  # orders are registered through the API or the console

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # orders are never deleted


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["created_at", "unit", "level", "message", "read_at"]
    list_filter = ["level"]
    list_select_related = ["unit"]

    def has_add_permission(self, request):
        return False


@admin.register(CallbackAttempt)
class CallbackAttemptAdmin(admin.ModelAdmin):
    list_display = ["order", "at", "by", "is_reached", "is_resolved", "is_satisfied"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
