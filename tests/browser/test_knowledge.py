"""The knowledge base in a real browser: suggestions while the caller speaks, an answer
inserted and recorded, and a new version written, approved and found at once."""

from __future__ import annotations


def test_a_question_shows_the_service_guide_and_its_answer_goes_into_the_order(open_session):
    from hotline.knowledge.models import KnowledgeUse

    s = open_session("operator1")
    s.goto("/console/intake/")
    page = s.page
    page.fill(
        "#transcript", "坐席：您好，12345。\n市民：我家的房产证丢了，想问问补办要带什么材料？"
    )
    hits = page.locator("#knowledge .knowledge-hit")
    hits.first.wait_for()
    titles = hits.locator("h3").all_inner_texts()[:5]
    assert any("不动产权证书遗失补办" in title for title in titles), titles
    guide = hits.filter(has_text="不动产权证书遗失补办").first
    assert "市民之家二楼" in guide.inner_text()
    s.screenshot("knowledge-panel")
    guide.get_by_role("button", name="插入答复").click()
    assert "遗失声明" in page.input_value("#id_answer")
    page.fill("#id_caller_phone", "13912340000")
    page.check("input[name=request_type][value=consultation]")
    page.fill("#id_title", "咨询不动产权证补办材料")
    page.fill("#id_content", "市民咨询不动产权证遗失后补办所需材料。")
    page.keyboard.press("F8")
    page.get_by_text("直接办结").first.wait_for()
    use = KnowledgeUse.objects.get()
    assert use.order.caller_phone == "13912340000" and "不动产权证书" in use.item.published.title


def test_an_editor_revises_the_administrator_publishes_and_operators_find_it_at_once(
    open_session,
):
    editor = open_session("editor1")
    editor.goto("/console/knowledge/?q=居住证")
    page = editor.page
    page.get_by_role("link", name="居住证办理流程").click()
    page.get_by_role("link", name="修订").click()
    page.fill("#id_text", "2026年起居住证可在“豫事办”APP全程网上申领，证件邮寄到家。")
    page.fill("#id_note", "新增网上申领")
    page.get_by_role("button", name="保存草稿").click()
    page.get_by_role("button", name="提交审核").click()
    page.get_by_text("已提交审核").first.wait_for()

    admin = open_session("admin")
    admin.goto(page.url.split(admin.base_url)[1])
    assert "<ins>" in admin.page.inner_html(".diff")
    admin.page.get_by_role("button", name="审核通过并发布").click()
    admin.page.get_by_text("已发布").first.wait_for()

    operator = open_session("operator1")
    operator.goto("/console/intake/")
    operator.page.fill("#knowledge-q", "居住证网上申领")
    hit = operator.page.locator("#knowledge .knowledge-hit").first
    hit.wait_for()
    assert "豫事办" in hit.inner_text()
