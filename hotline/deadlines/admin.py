from django.contrib import admin

from .models import CalendarDay, TimeLimitPolicy


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "is_workday", "name"]
    list_filter = ["is_workday"]
    date_hierarchy = "date"


@admin.register(TimeLimitPolicy)
class TimeLimitPolicyAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "clock",
        "request_type",
        "urgency",
        "category",
        "area",
        "amount",
        "unit",
        "priority",
        "is_active",
    ]
    list_filter = ["clock", "request_type", "urgency", "unit", "is_active"]
    search_fields = ["name"]
    autocomplete_fields = ["category", "area"]
