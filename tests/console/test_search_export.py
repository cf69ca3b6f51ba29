"""The order list: filters, masking, saved filters, and the Excel export."""

import io
import zipfile

import pytest

from hotline.console.models import Export, SavedFilter
from hotline.orders import service
from tests.factories import order_in, register

pytestmark = pytest.mark.django_db


def xlsx_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        # constant-memory writing stores strings inline in the sheets
        return "".join(
            book.read(name).decode() for name in book.namelist() if name.startswith("xl/")
        )


def test_filters_narrow_the_list(client, city):
    noise = register(city, title="施工噪音")
    water = register(city, title="小区停水", category=city.water, area=city.other_district)
    client.force_login(city.dispatcher)
    page = client.get("/console/orders/", {"q": "停水"}).content.decode()
    assert water.number in page and noise.number not in page
    page = client.get("/console/orders/", {"area": city.district.code}).content.decode()
    assert noise.number in page and water.number not in page
    page = client.get("/console/orders/", {"category": "01"}).content.decode()
    assert noise.number in page and water.number not in page


def test_handler_list_is_masked_and_cannot_search_by_phone(client, city):
    order = order_in(city, "registered")
    service.transition(order, "dispatch", city.dispatcher, lead_unit="zjj", co_units=["cgj"])
    client.force_login(city.handler_cgj)
    page = client.get("/console/orders/").content.decode()
    assert order.number in page and "138****8000" in page and "13800138000" not in page
    refused = client.get("/console/orders/", {"caller_phone": "13800138000"}).content.decode()
    assert "无权按电话号码查询" in refused and order.number not in refused


def test_bad_filter_values_are_shown_not_crashed(client, city):
    client.force_login(city.dispatcher)
    response = client.get("/console/orders/", {"registered_from": "不是日期", "area": "nope"})
    assert response.status_code == 200
    assert "id_registered_from_error" in response.content.decode()


def test_saved_filters_belong_to_their_user(client, city):
    client.force_login(city.dispatcher)
    client.post("/console/orders/filters", {"name": "超期投诉", "query": "is_overdue=true"})
    assert SavedFilter.objects.get().user == city.dispatcher
    assert "超期投诉" in client.get("/console/orders/").content.decode()
    client.force_login(city.supervisor)
    assert "超期投诉" not in client.get("/console/orders/").content.decode()


def test_export_writes_what_the_filter_shows_masked_for_the_role(client, city):
    shown = order_in(city, "registered", title="导出的工单")
    service.transition(shown, "dispatch", city.dispatcher, lead_unit="zjj", co_units=["cgj"])
    register(city, title="别的单位的工单")
    client.force_login(city.handler_cgj)
    response = client.post("/console/orders/export", {"query": "q=导出"}, follow=True)
    job = Export.objects.get()
    assert job.state == "done" and job.total == 1 and job.done == 1
    assert "下载 Excel 文件" in response.content.decode()
    download = client.get(f"/console/exports/{job.pk}/file")
    text = xlsx_text(b"".join(download.streaming_content))
    assert "导出的工单" in text and "别的单位的工单" not in text
    assert "138****8000" in text and "13800138000" not in text
    assert "受理时间" in text  # headings in Chinese


def test_nobody_downloads_anothers_export(client, city):
    register(city)
    client.force_login(city.dispatcher)
    client.post("/console/orders/export", {"query": ""})
    job = Export.objects.get()
    client.force_login(city.supervisor)
    assert client.get(f"/console/exports/{job.pk}/file").status_code == 404
    assert client.get(f"/console/exports/{job.pk}").status_code == 404


def test_personal_data_in_the_text_is_masked_in_every_export(client, city):
    content = "我叫王小明，电话13912345678，身份证410902199001011238。"
    register(city, title="路灯不亮", content=content)
    client.force_login(city.supervisor)  # a role that sees the contact columns in full
    client.post("/console/orders/export", {"query": "q=路灯"})
    job = Export.objects.get()
    text = xlsx_text(b"".join(client.get(f"/console/exports/{job.pk}/file").streaming_content))
    assert "路灯不亮" in text
    assert "13912345678" not in text and "410902199001011238" not in text
    assert "13800138000" in text  # the contact column itself follows the role
