"""Importing existing knowledge from files: spreadsheets one item per row, documents split into
questions and answers; bad rows are reported and the good ones kept; a file that cannot be
read is refused with a clear error and nothing written."""

import csv
import json
from datetime import date, datetime

import pytest
from django.utils import translation
from docx import Document
from openpyxl import Workbook
from pypdf import PdfReader

from hotline.cli import main
from hotline.errors import Forbidden
from hotline.knowledge import importing
from hotline.knowledge.importing import import_file, parse_date
from hotline.knowledge.models import KIND_FIELDS, KnowledgeItem, KnowledgeVersion
from hotline.knowledge.search import search
from hotline.knowledge.service import KnowledgeError

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english():
    """Where and why read in English here, whatever the translations say."""
    with translation.override("en"):
        yield


HEADER = ["序号", "标题", "内容", "类型", "责任单位", "适用区域", "标签", "有效期至"]
GUIDE_HEADER = [*HEADER, "办理地点", "所需材料", "收费", "办理时限", "联系电话"]


def write_xlsx(path, sheets):
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def write_csv(path, rows, encoding="utf-8"):
    with open(path, "w", encoding=encoding, newline="") as file:
        csv.writer(file).writerows(rows)
    return path


def write_docx(path, paragraphs):
    """``paragraphs``: text, or (text, style) with a style of Word's default template."""
    document = Document()
    for paragraph in paragraphs:
        text, style = (paragraph, None) if isinstance(paragraph, str) else paragraph
        document.add_paragraph(text, style=style)
    document.save(path)
    return path


def write_pdf(path, pages):
    """A PDF written by hand: each page's lines in the standard Chinese font STSong-Light
    (UniGB-UCS2-H, no font embedded), or an empty list for a page without a text layer (a
    grey rectangle, as a scanned page has only an image)."""
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        3: b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
        b"/DescendantFonts [4 0 R] >>",
        4: b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo "
        b"<< /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> /FontDescriptor 5 0 R >>",
        5: b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /ItalicAngle 0 "
        b"/FontBBox [-25 -254 1000 880] /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>",
    }
    kids = []
    for n, lines in enumerate(pages):
        if lines:
            shown = [f"<{line.encode('utf-16-be').hex()}> Tj T*" for line in lines]
            operators = ["BT /F1 12 Tf 16 TL 72 770 Td", *shown, "ET"]
        else:
            operators = ["0.5 g 72 72 450 700 re f"]
        content = "\n".join(operators).encode()
        objects[10 + 2 * n] = b"<< /Length %d >>\nstream\n%b\nendstream" % (len(content), content)
        objects[11 + 2 * n] = (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (10 + 2 * n)
        )
        kids.append(b"%d 0 R" % (11 + 2 * n))
    objects[2] = b"<< /Type /Pages /Kids [%b] /Count %d >>" % (b" ".join(kids), len(kids))
    out = bytearray(b"%PDF-1.4\n")
    size = max(objects) + 1
    offsets = [0] * size
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n%b\nendobj\n" % (number, objects[number])
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for offset in offsets[1:]:  # the numbers not used are free entries
        out += b"%010d 00000 n \n" % offset if offset else b"0000000000 65535 f \n"
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref)
    path.write_bytes(bytes(out))
    return path


def run(city, path, **options):
    values = {"owner_unit": city.zjj, "by": city.editor}
    values.update(options)
    return import_file(path, **values)


def items():
    """The imported items by title, with their one version."""
    return {
        version.title: version
        for version in KnowledgeVersion.objects.select_related("item", "item__owner_unit")
    }


def codes(report):
    return [(skipped.where, skipped.code) for skipped in report.skipped]


def test_a_workbook_with_chinese_headers_gives_one_item_per_row_sent_for_review(city, tmp_path):
    path = write_xlsx(
        tmp_path / "知识库.xlsx",
        {
            "办事指南": [
                ["濮阳市12345知识库 办事指南"],  # a title row above the header
                GUIDE_HEADER,
                [
                    1,
                    "补办不动产权证",
                    "权利人持身份证到不动产登记窗口申请。",
                    "办事指南",
                    "",
                    "华龙区、410922",
                    "不动产,补办",
                    datetime(2027, 6, 30),
                    "市政务服务中心二楼",
                    "身份证、不动产权证",
                    "免费",
                    "5个工作日",
                    3931234567,
                ],
            ],
            "政策": [
                ["标题", "正文", "类型", "责任单位", "文号", "发文机关", "生效日期", "备注"],
                [
                    "公租房申请条件",
                    "申请人须在本市无住房。",
                    "policy",
                    "市城管局",
                    "濮政〔2026〕1号",
                    "濮阳市人民政府",
                    "2026年1月1日",
                    "旧文件",
                ],
            ],
        },
    )
    report = run(city, path)
    assert report.error is None and report.skipped == []
    assert report.read == report.created == 2 and report.state == "review"
    assert report.ignored_columns == ["政策: 备注"]
    found = items()
    guide = found["补办不动产权证"]
    assert guide.item.kind == "guide" and guide.item.owner_unit == city.zjj
    assert guide.state == "review" and guide.written_by == city.editor
    assert guide.fields == {
        "where": "市政务服务中心二楼",
        "documents": "身份证、不动产权证",
        "fees": "免费",
        "time_limit": "5个工作日",
        "phone": "3931234567",
    }
    assert {area.code for area in guide.item.areas.all()} == {"410902", "410922"}
    assert guide.item.tags == "不动产 补办" and guide.item.valid_until == date(2027, 6, 30)
    assert "知识库.xlsx" in guide.note
    policy = found["公租房申请条件"]
    assert policy.item.kind == "policy" and policy.item.owner_unit == city.cgj
    assert policy.fields == {
        "document_number": "濮政〔2026〕1号",
        "issuing_body": "濮阳市人民政府",
        "effective_on": "2026-01-01",
    }
    assert search("不动产权证") == []  # in review: nothing is searchable yet


def test_a_bad_row_is_reported_with_its_reason_and_the_others_are_kept(city, tmp_path):
    good = ["社保卡补办", "持身份证到社保窗口办理。"]
    path = write_xlsx(
        tmp_path / "faq.xlsx",
        {
            "问答": [
                ["问题", "答案", "类型", "责任单位", "适用区域", "有效期至", "文号"],
                [*good, "常见问题", "", "", "", ""],
                ["医保报销", "到医保中心办理。", "传说", "", "", "", ""],  # row 3
                ["公积金提取", "到公积金中心办理。", "", "不存在的局", "", "", ""],
                ["居住证办理", "到派出所办理。", "", "", "火星区", "", ""],
                ["", "没有标题的答案。", "", "", "", "", ""],
                ["没有答案的问题", "", "", "", "", "", ""],
                ["有效期错了", "内容。", "", "", "", "明年", ""],
                ["问答没有文号", "内容。", "", "", "", "", "濮政〔2026〕1号"],
                ["新生儿落户", "持出生医学证明办理。", "faq", "cgj", "410900", 46387, ""],
            ]
        },
    )
    report = run(city, path)
    assert report.error is None and report.read == 9 and report.created == 2
    assert codes(report) == [
        ("sheet “问答”, row 3", "unknown_kind"),
        ("sheet “问答”, row 4", "unknown_unit"),
        ("sheet “问答”, row 5", "unknown_area"),
        ("sheet “问答”, row 6", "title_required"),
        ("sheet “问答”, row 7", "text_required"),
        ("sheet “问答”, row 8", "bad_date"),
        ("sheet “问答”, row 9", "unknown_field"),
    ]
    skipped = report.skipped[0]
    assert skipped.title == "医保报销" and "传说" in skipped.reason
    assert set(items()) == {"社保卡补办", "新生儿落户"}
    assert KnowledgeItem.objects.count() == 2  # nothing half-written
    newborn = items()["新生儿落户"].item
    assert newborn.owner_unit == city.cgj and newborn.valid_until == date(2026, 12, 31)


def test_what_is_already_in_the_base_or_earlier_in_the_file_is_skipped(city, tmp_path):
    path = write_xlsx(
        tmp_path / "faq.xlsx",
        {
            "Sheet1": [
                ["title", "text", "kind"],
                ["补办身份证", "到派出所办理。", "faq"],
                ["补办身份证", "再说一遍。", "faq"],
                ["补办身份证", "同名的办事指南是另一个条目。", "guide"],
            ]
        },
    )
    assert run(city, path).created == 2
    second = run(city, path)
    assert second.created == 0
    assert [s.code for s in second.skipped] == ["duplicate", "duplicate", "duplicate"]
    assert KnowledgeItem.objects.count() == 2
    KnowledgeItem.objects.all().delete()
    first = run(city, path)
    assert codes(first) == [("sheet “Sheet1”, row 3", "duplicate_in_file")]
    assert "row 2" in first.skipped[0].reason


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_a_csv_file_is_read_in_the_encodings_excel_writes(city, tmp_path, encoding):
    rows = [
        ["问题", "答复", "类型", "电话", "地址", "办公时间"],
        ["市民之家在哪里", "在龙都大道与京开大道交叉口。", "地点", "0393-12345", "龙都大道1号", ""],
        ["城管局联系方式", "负责市容环境管理。", "部门职责", "0393-8888", "", "9:00-17:00"],
    ]
    path = write_csv(tmp_path / "places.csv", rows, encoding)
    report = run(city, path)
    assert report.error is None and report.created == 2, report.skipped
    found = items()
    assert found["市民之家在哪里"].item.kind == "place"
    assert found["市民之家在哪里"].fields == {"phone": "0393-12345", "address": "龙都大道1号"}
    assert found["城管局联系方式"].item.kind == "directory"
    assert found["城管局联系方式"].fields["hours"] == "9:00-17:00"


def test_a_semicolon_csv_with_english_headers_and_the_kind_given(city, tmp_path):
    rows = [["Title", "Text", "Valid until", "Topic"], ["停水通知口径", "按计划停水。", "", "停水"]]
    with open(tmp_path / "scripts.csv", "w", encoding="utf-8", newline="") as file:
        csv.writer(file, delimiter=";").writerows(rows)
    report = run(city, tmp_path / "scripts.csv", kind="答复口径")
    assert report.created == 1
    assert items()["停水通知口径"].fields == {"topic": "停水"}
    assert items()["停水通知口径"].item.kind == "script"


def test_a_broken_workbook_is_refused_with_a_clear_error_and_nothing_written(city, tmp_path):
    good = write_xlsx(tmp_path / "good.xlsx", {"a": [["标题", "内容"], ["标题", "内容"]]})
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(good.read_bytes()[:300])  # cut short, as a failed download
    report = run(city, broken)
    assert report.error_code == "unreadable_file" and "broken.xlsx" in report.error
    assert report.created == 0 and not KnowledgeItem.objects.exists()
    (tmp_path / "not.xlsx").write_text("just text")
    assert run(city, tmp_path / "not.xlsx").error_code == "unreadable_file"


@pytest.mark.parametrize(
    "name, content, code",
    [
        ("broken.docx", b"PK\x03\x04 cut short", "unreadable_file"),
        ("broken.pdf", b"%PDF-1.4 cut short", "unreadable_file"),
        ("old.xls", b"\xd0\xcf\x11\xe0", "old_format"),
        ("notes.txt", b"text", "unknown_format"),
        ("empty.csv", b"", "empty_file"),
        ("binary.csv", b"\x00\x01\x02\xff\xfe\x00", "unknown_encoding"),
        ("headless.csv", "补办身份证,到派出所办理\n".encode(), "no_header"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_with_its_reason(city, tmp_path, name, content, code):
    (tmp_path / name).write_bytes(content)
    report = run(city, tmp_path / name)
    assert report.error_code == code and report.error and report.created == 0


def test_a_file_over_the_limits_is_refused(city, tmp_path, monkeypatch):
    rows = [["标题", "内容"], *[[f"问题{i}", "答案"] for i in range(4)]]
    path = write_csv(tmp_path / "many.csv", rows)
    monkeypatch.setattr(importing, "MAX_ROWS", 3)
    assert run(city, path).error_code == "too_many_rows"
    monkeypatch.setattr(importing, "MAX_BYTES", 10)
    assert run(city, path).error_code == "file_too_large"
    with open(path, "rb") as file:  # an uploaded file, not a path
        assert run(city, file, name="many.csv").error_code == "file_too_large"
    assert not KnowledgeItem.objects.exists()


def test_a_word_document_of_questions_and_answers(city, tmp_path):
    path = write_docx(
        tmp_path / "户籍问答.docx",
        [
            ("户籍业务常见问题", "Title"),
            "问：新生儿怎样办理落户？",
            "答：持出生医学证明、父母户口簿到派出所办理。",
            "不收取费用。",
            "一、迁移",
            "Q2: 市内迁移需要什么材料？A: 迁入地房产证明和户口簿。",
            "问：没有答案的问题？",
        ],
    )
    report = run(city, path)
    assert codes(report) == [("paragraph 7", "text_required")]
    newborn, moving = items()["新生儿怎样办理落户？"], items()["市内迁移需要什么材料？"]
    assert newborn.text == "持出生医学证明、父母户口簿到派出所办理。\n不收取费用。"
    assert moving.text == "迁入地房产证明和户口簿。" and newborn.item.kind == "faq"


def test_a_word_document_of_headings_or_numbered_questions(city, tmp_path):
    headings = write_docx(
        tmp_path / "guides.docx",
        [
            ("社保", "Heading 1"),
            ("社保卡补办", "Heading 2"),
            "带身份证到社保窗口。",
            ("社保卡挂失", "Heading 2"),
            "拨打12345或到窗口挂失。",
        ],
    )
    assert run(city, headings, kind="guide").created == 2
    assert items()["社保卡挂失"].text == "拨打12345或到窗口挂失。"
    numbered = write_docx(
        tmp_path / "faq.docx",
        [
            "本问答供话务员参考。",
            "各单位如有更新请及时报送。",
            "1. 公积金怎么提取？",
            "需要以下材料：",
            "1. 身份证；",
            "2. 购房合同。",
            ("医保卡丢了怎么办？", "List Number"),  # Word's own numbering
            "到医保窗口补办。",
        ],
    )
    report = run(city, numbered)
    assert report.created == 2
    assert codes(report) == [("paragraph 1", "before_first_item")]
    assert items()["公积金怎么提取？"].text == "需要以下材料：\n1. 身份证；\n2. 购房合同。"
    assert items()["医保卡丢了怎么办？"].text == "到医保窗口补办。"


def test_a_document_without_structure_becomes_one_item_titled_by_its_first_line(city, tmp_path):
    path = write_docx(
        tmp_path / "notice.docx",
        ["关于调整公交线路的通知", "自下月起，8路公交改走中原路。", "详情请咨询公交公司。"],
    )
    report = run(city, path, kind="script")
    assert report.created == 1
    version = items()["关于调整公交线路的通知"]
    assert version.text == "自下月起，8路公交改走中原路。\n详情请咨询公交公司。"


def test_a_pdf_is_split_into_questions_and_answers_across_pages(city, tmp_path):
    path = write_pdf(
        tmp_path / "问答.pdf",
        [
            [
                "问：补办身份证要带什么？",
                "答：本人户口簿，到户籍所在地派出所办理。",
                "- 1 -",
            ],
            ["Q: 社保卡挂失怎么办？", "A: 拨打12345热线或到社保窗口挂失。", "第 2 页 共 2 页"],
        ],
    )
    text = "".join(page.extract_text() for page in PdfReader(path).pages)
    assert "补办身份证要带什么" in text and "社保窗口挂失" in text  # the text layer is real
    report = run(city, path)
    assert report.error is None and report.skipped == [] and report.created == 2
    assert items()["补办身份证要带什么？"].text == "本人户口簿，到户籍所在地派出所办理。"
    assert items()["社保卡挂失怎么办？"].text == "拨打12345热线或到社保窗口挂失。"


def test_a_scanned_pdf_without_text_is_skipped_not_an_error(city, tmp_path):
    report = run(city, write_pdf(tmp_path / "scan.pdf", [[], []]))
    assert report.error is None and report.created == 0
    assert codes(report) == [("the whole file", "no_text_layer")]
    mixed = run(city, write_pdf(tmp_path / "mixed.pdf", [["停水怎么办？", "拨打供水热线。"], []]))
    assert mixed.created == 1 and codes(mixed) == [("page 2", "no_text_layer")]


def test_an_editor_publishes_on_import_and_the_items_are_searchable_at_once(city, tmp_path):
    path = write_xlsx(
        tmp_path / "faq.xlsx",
        {
            "faq": [
                ["标题", "内容", "有效期至"],
                ["补办身份证需要什么材料", "户口簿，到派出所办理。", ""],
                ["旧的停车收费标准", "已废止。", "2020-01-01"],
            ]
        },
    )
    progress = []
    report = run(city, path, publish=True, progress=lambda *step: progress.append(step))
    assert report.created == 2 and report.state == "published"
    assert progress[0] == (0, 2) and progress[-1] == (2, 2)
    version = items()["补办身份证需要什么材料"]
    assert version.state == "published" and version.item.status == "published"
    assert version.reviewed_by == city.editor == version.written_by  # recorded as an import
    assert version.review_note
    assert [f.item for f in search("身份证补办材料")] == [version.item]
    assert items()["旧的停车收费标准"].item.status == "expired"  # published past its validity


def test_only_knowledge_editors_publish_on_import_and_only_writers_import(city, tmp_path):
    path = write_csv(tmp_path / "faq.csv", [["标题", "内容"], ["问题", "答案"]])
    with pytest.raises(Forbidden):
        run(city, path, by=city.handler_zjj, publish=True)
    with pytest.raises(Forbidden):
        run(city, path, by=city.operator)
    with pytest.raises(Forbidden):
        run(city, path, by=city.handler_cgj)  # another unit's items
    with pytest.raises(KnowledgeError):
        run(city, path, kind="传说")
    assert not KnowledgeItem.objects.exists()


def test_a_units_handler_imports_its_own_units_items_for_review(city, tmp_path):
    rows = [
        ["标题", "内容", "责任单位"],
        ["物业维修基金", "到住建局办理。", ""],
        ["路灯", "城管。", "cgj"],
    ]
    report = run(city, write_csv(tmp_path / "zjj.csv", rows), by=city.handler_zjj)
    assert report.created == 1 and codes(report) == [("row 3", "forbidden")]
    assert items()["物业维修基金"].state == "review"


def test_publishing_on_import_is_for_new_items_only(city):
    from hotline.knowledge import service
    from hotline.knowledge.importing import publish_import

    item = service.create("faq", "问题", "答案", city.zjj, city.editor)
    version = item.versions.get()
    publish_import(version, city.editor)
    revision = service.revise(item, city.editor, "问题", "新答案")
    with pytest.raises(KnowledgeError):
        publish_import(revision, city.editor)  # a revision is reviewed by another editor


def test_the_command_prints_the_report_as_json(city, tmp_path, capsys):
    path = write_csv(
        tmp_path / "faq.csv", [["标题", "内容", "类型"], ["问题一", "答案", ""], ["问题二", "", ""]]
    )
    main(["knowledge", "import", str(path), "--owner", "zjj", "--by", "editor", "--kind", "faq"])
    report = json.loads(capsys.readouterr().out)
    assert report["created"] == 1 and report["state"] == "review"
    assert report["skipped"][0]["where"] == "row 3"
    assert report["skipped"][0]["code"] == "text_required"
    assert report["skipped"][0]["reason"]


def test_the_command_fails_clearly_on_an_unreadable_file_or_unknown_names(city, tmp_path, capsys):
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(SystemExit) as exit:
        main(["knowledge", "import", str(broken), "--owner", "zjj", "--by", "editor"])
    assert exit.value.code != 0 and "broken.xlsx" in str(exit.value.code)
    assert json.loads(capsys.readouterr().out)["error_code"] == "unreadable_file"
    for owner, by in [("nowhere", "editor"), ("zjj", "nobody")]:
        with pytest.raises(SystemExit) as exit:
            main(["knowledge", "import", str(broken), "--owner", owner, "--by", by])
        assert exit.value.code != 0 and isinstance(exit.value.code, str)
    with pytest.raises(SystemExit) as exit:
        main(["knowledge", "import", str(broken), "--owner", "zjj", "--by", "handler_zjj"])
    assert exit.value.code != 0


def test_every_detail_of_every_kind_has_a_column():
    details = {name for names in KIND_FIELDS.values() for name in names}
    assert details <= set(importing.COLUMNS)


@pytest.mark.parametrize(
    "value, day",
    [
        ("2026-12-31", date(2026, 12, 31)),
        ("2026/1/5", date(2026, 1, 5)),
        ("2026.01.05", date(2026, 1, 5)),
        ("2026年12月31日", date(2026, 12, 31)),
        ("2026-12-31 00:00:00", date(2026, 12, 31)),
        ("20261231", date(2026, 12, 31)),
        (46387, date(2026, 12, 31)),  # an Excel date number
        (datetime(2026, 12, 31, 8, 0), date(2026, 12, 31)),
        ("长期有效", None),
        ("", None),
    ],
)
def test_dates_are_read_as_people_write_them(value, day):
    assert parse_date(value) == day


def test_an_office_file_that_unpacks_to_too_much_is_refused(city, monkeypatch, tmp_path):
    """A zip bomb: small on disk, huge unpacked; refused before any parser opens it."""
    import zipfile

    from hotline.knowledge import importing

    monkeypatch.setattr(importing, "MAX_UNPACKED_BYTES", 1000)
    path = tmp_path / "bomb.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", "0" * 100_000)
    report = importing.import_file(path, owner_unit=city.zjj, by=city.editor)
    assert report.error_code == "too_large" and report.created == 0
