"""URL map of the console: the workbenches, the order pages, search, settings, live updates."""

from django.urls import include, path

from .views import intake, knowledge, orders, search, setup, workbench

app_name = "console"

urlpatterns = [
    path("", workbench.home, name="home"),
    path("intake/", intake.intake, name="intake"),
    path("intake/caller", intake.caller, name="intake-caller"),
    path("intake/categories", intake.categories, name="intake-categories"),
    path("intake/knowledge", knowledge.suggest, name="intake-knowledge"),
    path("intake/draft", intake.draft, name="intake-draft"),
    path("intake/nuisance", intake.nuisance, name="intake-nuisance"),
    path("dispatch/", workbench.dispatch, name="dispatch"),
    path("dispatch/bulk", workbench.dispatch_bulk, name="dispatch-bulk"),
    path("inbox/", workbench.inbox, name="inbox"),
    path("review/", workbench.review, name="review"),
    path("callback/", workbench.callback, name="callback"),
    path("supervise/", workbench.supervise, name="supervise"),
    path("live/<str:name>", workbench.live, name="live"),
    path("orders/", search.orders, name="orders"),
    path("orders/filters", search.save_filter, name="orders-save-filter"),
    path("orders/filters/<int:pk>/delete", search.delete_filter, name="orders-delete-filter"),
    path("orders/export", search.export, name="orders-export"),
    path("exports/<int:pk>", search.export_status, name="export"),
    path("exports/<int:pk>/file", search.export_file, name="export-file"),
    path("orders/<str:number>/", orders.order_page, name="order"),
    path("orders/<str:number>/panel", orders.panel, name="order-panel"),
    path("orders/<str:number>/print", orders.print_view, name="order-print"),
    path("orders/<str:number>/act/<str:action>", orders.act, name="order-act"),
    path("orders/<str:number>/attachments", orders.upload, name="order-upload"),
    path("knowledge/", knowledge.items, name="knowledge"),
    path("knowledge/new", knowledge.item_new, name="knowledge-new"),
    path("knowledge/import", knowledge.import_new, name="knowledge-import-new"),
    path("knowledge/import/<int:pk>", knowledge.import_status, name="knowledge-import"),
    path("knowledge/requests", knowledge.requests_page, name="knowledge-requests"),
    path("knowledge/usage", knowledge.usage_page, name="knowledge-usage"),
    path("knowledge/<int:pk>/", knowledge.item_page, name="knowledge-item"),
    path("knowledge/<int:pk>/edit", knowledge.item_edit, name="knowledge-edit"),
    path("knowledge/<int:pk>/act/<str:action>", knowledge.item_act, name="knowledge-act"),
    path("knowledge/<int:pk>/feedback", knowledge.feedback, name="knowledge-feedback"),
    path("settings/", include(setup.urlpatterns)),
]
