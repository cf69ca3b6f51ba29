"""Every admin page opens, in Chinese, for the administrator."""

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from hotline.demo.city import load_city
from hotline.orgs.models import User
from tests.factories import make_city, order_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(db):
    city = make_city()
    order_in(city, "accepted")
    user = User.objects.create_superuser("root", password="pw-for-tests")
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    return client


def test_every_changelist_and_change_page_opens(admin_client):
    for model, model_admin in admin.site._registry.items():
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        changelist = admin_client.get(reverse(f"{prefix}_changelist"))
        assert changelist.status_code == 200, prefix
        first = model.objects.first()
        if first is not None:
            page = admin_client.get(reverse(f"{prefix}_change", args=[first.pk]))
            assert page.status_code == 200, prefix
        if model_admin.has_add_permission(changelist.wsgi_request):
            assert admin_client.get(reverse(f"{prefix}_add")).status_code == 200, prefix


def test_admin_speaks_chinese(admin_client):
    page = admin_client.get("/admin/").content.decode()
    assert "工单" in page and "权责清单" in page and "时限规则" in page


def test_demo_city_admin_search_of_the_responsibility_list(db):
    load_city()
    user = User.objects.get(username="admin")
    client = Client()
    client.force_login(user)
    page = client.get("/admin/orgs/responsibilityrule/", {"q": "噪音"})
    assert page.status_code == 200 and "噪" in page.content.decode()
