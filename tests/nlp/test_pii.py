"""Personal data found and masked in text that leaves the handling chain (nlp.pii)."""

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp.pii import (
    ALL_KINDS,
    Span,
    find,
    id_card_check_char,
    is_valid_id_card,
    mask,
    passes_luhn,
)

# A published example of a resident ID and well-known test card numbers (all checksums valid).
ID_CARD = "11010519491231002X"
UNIONPAY_CARD = "6222021234567890128"
VISA_CARD = "4111111111111111"


def id_card(first17: str) -> str:
    return first17 + id_card_check_char(first17)


# --- Phones -----------------------------------------------------------------------------------


def test_mobile_number_keeps_first_three_and_last_four():
    assert mask("联系电话13812345678，谢谢") == "联系电话138****5678，谢谢"


@pytest.mark.parametrize(
    ("written", "masked"),
    [
        ("138-1234-5678", "138-****-5678"),
        ("138 1234 5678", "138 **** 5678"),
        ("+8613812345678", "+86138****5678"),
        ("+86 138 1234 5678", "+86 138 **** 5678"),
        ("0086-13812345678", "0086-138****5678"),
    ],
)
def test_mobile_number_written_with_separators_or_country_code(written, masked):
    assert mask(f"手机{written}。") == f"手机{masked}。"
    assert [span.kind for span in find(f"手机{written}。")] == ["mobile"]


@pytest.mark.parametrize(
    ("written", "masked"),
    [
        ("0393-5012345", "0393-****345"),
        ("0373 50123456", "0373 *****456"),
        ("010-62345678", "010-*****678"),
        ("02168001234", "021*****234"),
        ("(0373)5012345", "(0373)****345"),
    ],
)
def test_landline_keeps_area_code_and_last_three(written, masked):
    assert mask(f"座机{written}") == f"座机{masked}"


def test_number_without_area_code_or_mobile_prefix_is_not_a_phone():
    text = "分机号5012345，编号12345678901（不是手机号）"
    assert mask(text) == text


# --- ID cards ---------------------------------------------------------------------------------


def test_id_card_keeps_first_six_and_last_four():
    assert mask(f"身份证号{ID_CARD}。") == "身份证号110105********002X。"


def test_id_card_ending_in_lowercase_x_is_masked_as_written():
    assert mask(f"身份证{ID_CARD.lower()}") == "身份证110105********002x"


def test_id_card_with_bad_checksum_is_not_masked():
    wrong = ID_CARD[:17] + "5"
    assert not is_valid_id_card(wrong)
    assert mask(f"身份证{wrong}") == f"身份证{wrong}"


def test_id_card_with_impossible_birth_date_is_not_masked():
    number = id_card("41090219990230123")  # 30 February
    assert not is_valid_id_card(number)
    assert find(f"身份证{number}") == []


def test_id_card_check_char_follows_gb_11643():
    assert id_card_check_char(ID_CARD[:17]) == "X"
    assert is_valid_id_card("410902199001011238")
    with pytest.raises(ValueError):
        id_card_check_char("1234")


# --- Bank cards -------------------------------------------------------------------------------


def test_bank_card_keeps_first_and_last_four_without_adding_spaces():
    assert mask(f"银行卡{UNIONPAY_CARD}") == "银行卡6222***********0128"
    assert mask(f"卡号{VISA_CARD}") == "卡号4111********1111"


def test_bank_card_written_in_groups_keeps_its_separators():
    assert mask("卡号4111 1111 1111 1111") == "卡号4111 **** **** 1111"
    assert mask("卡号4111-1111-1111-1111") == "卡号4111-****-****-1111"


def test_bank_card_failing_luhn_is_not_masked():
    wrong = VISA_CARD[:-1] + "2"
    assert not passes_luhn(wrong)
    assert mask(f"卡号{wrong}") == f"卡号{wrong}"


def test_date_like_number_passing_luhn_is_not_a_bank_card():
    order_number = next(
        number
        for number in (f"202611270000001{digit}" for digit in "0123456789")
        if passes_luhn(number)
    )
    assert find(f"流水号{order_number}") == []


def test_id_card_number_is_masked_as_id_card_not_bank_card():
    assert [span.kind for span in find(f"证件{ID_CARD}")] == ["id_card"]


# --- What is left alone ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "工单号20261127-000001已办结",
        "来电时间2026-11-27 09:30，2026年11月27日",
        "涉及金额12345678元，另有1,234,567.89元",
        "住在人民路1234号3栋2单元501室",
        "邮编453000，车牌豫G12345",
        "",
        "Hello, the street light on Renmin Road is broken.",
    ],
)
def test_order_numbers_dates_amounts_and_house_numbers_are_left_alone(text):
    assert mask(text) == text


def test_full_width_digits_are_masked_in_place():
    assert mask("电话１３８１２３４５６７８") == "电话１３８****５６７８"
    assert mask("电话１３８－１２３４－５６７８") == "电话１３８－****－５６７８"


# --- Names ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("我叫张三丰，住在卫辉市", "我叫张**，住在卫辉市"),
        ("您好我是王建国，来电反映", "您好我是王**，来电反映"),
        ("联系人：李秀英，电话", "联系人：李**，电话"),
        ("来电人王建国反映路灯不亮", "来电人王**反映路灯不亮"),
        ("姓名：欧阳娜娜。", "姓名：欧阳**。"),
        ("我叫张三住在红旗区", "我叫张*住在红旗区"),
        ("，王建国先生来电", "，王**先生来电"),
    ],
)
def test_full_name_keeps_only_the_family_name(text, masked):
    assert mask(text) == masked


@pytest.mark.parametrize(
    "text",
    ["楼下的张先生天天半夜装修", "王女士说", "李老师反映", "刘师傅明天来修", "您好，我是王师傅。"],
)
def test_family_name_with_title_is_a_polite_form_and_stays(text):
    assert mask(text) == text


@pytest.mark.parametrize(
    "text", ["我是张家村的村民", "我是马上要搬走的租户", "我叫不出他的名字", "今天高兴"]
)
def test_words_that_only_start_with_a_family_name_are_not_names(text):
    assert mask(text) == text


def test_names_can_be_left_out():
    assert mask("我叫张三丰，电话13812345678", name_finder=None) == "我叫张三丰，电话138****5678"
    assert mask("我叫张三丰，电话13812345678", kinds={"name"}) == "我叫张**，电话13812345678"


def test_another_name_finder_can_be_plugged_in():
    class Tagger:
        def find(self, text):
            start = text.index("赵六")
            return [Span(start, start + 2, "name", "赵六")]

    assert mask("刚才赵六打电话说", name_finder=Tagger()) == "刚才赵*打电话说"


# --- The API ----------------------------------------------------------------------------------


def test_kinds_limit_what_is_masked():
    text = f"电话13812345678，身份证{ID_CARD}"
    assert mask(text, kinds={"id_card"}) == "电话13812345678，身份证110105********002X"


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError):
        find("13812345678", kinds={"email"})


def test_spans_are_ordered_and_point_into_the_original_text():
    text = (
        "我叫张三丰，电话１３８１２３４５６７８，"
        f"身份证{ID_CARD}，银行卡{VISA_CARD}，座机0393-5012345"
    )
    spans = find(text)
    assert [span.kind for span in spans] == ["name", "mobile", "id_card", "bank_card", "landline"]
    assert all(text[span.start : span.end] == span.text for span in spans)
    assert ALL_KINDS == {span.kind for span in spans}


@pytest.mark.parametrize("text", ["1 " * 10000, "1234-" * 4000, "(" * 20000, "8" * 20000])
def test_long_runs_of_digits_and_separators_are_handled(text):
    assert len(mask(text)) == len(text)  # speed is measured in benchmarks/nlp_text.py


# --- Properties -------------------------------------------------------------------------------

provinces = st.sampled_from(["11", "31", "41", "44", "51", "65", "81"])
birth_dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31)).map(
    lambda day: day.strftime("%Y%m%d")
)
valid_id_cards = st.builds(
    lambda province, rest, birth, sequence: id_card(f"{province}{rest}{birth}{sequence}"),
    provinces,
    st.from_regex(r"\A[0-9]{4}\Z"),
    birth_dates,
    st.from_regex(r"\A[0-9]{3}\Z"),
)
# Neighbours that are not digits: anything, and the characters that numbers are written with.
not_digits = st.text(alphabet=st.characters(blacklist_categories=["Nd"]), max_size=30) | st.text(
    alphabet="+-() Xx:：号码证张三，", max_size=5
)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(text=st.text(max_size=300))
def test_mask_never_raises_and_keeps_the_length(text):
    masked = mask(text)
    assert len(masked) == len(text)
    assert all(new in (old, "*") for old, new in zip(text, masked, strict=True))


@settings(max_examples=300, deadline=None, derandomize=True)
@given(before=not_digits, number=valid_id_cards, after=not_digits)
def test_a_valid_id_card_is_always_masked(before, number, after):
    masked = mask(before + number + after)
    assert number not in masked
    assert number[:6] + "*" * 8 + number[-4:] in masked


@settings(max_examples=300, deadline=None, derandomize=True)
@given(number=valid_id_cards, position=st.integers(0, 16), change=st.integers(1, 9))
def test_id_card_check_catches_any_single_digit_change(number, position, change):
    assert not is_valid_id_card(_change_digit(number, position, change))


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    card=st.sampled_from([UNIONPAY_CARD, VISA_CARD, "5500000000000004"]),
    position=st.integers(0, 15),
    change=st.integers(1, 9),
)
def test_luhn_catches_any_single_digit_change(card, position, change):
    assert passes_luhn(card)
    assert not passes_luhn(_change_digit(card, position, change))


def _change_digit(number, position, change):
    changed = str((int(number[position]) + change) % 10)
    return number[:position] + changed + number[position + 1 :]
