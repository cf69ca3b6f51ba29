"""The request type of a call (咨询, 投诉, 求助, 建议, 举报), or why it is out of scope."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp.classify import Prediction
from nlp.request_type import (
    DOUBT,
    EMERGENCY,
    LITIGATION,
    MODEL_REASON,
    OUT_OF_SCOPE,
    PETITION,
    TYPES,
    TypeGuess,
    guess_type,
)


class FixedModel:
    """A stand-in for a trained classifier: always predicts the same label."""

    def __init__(self, label: str, confidence: float, is_confident: bool | None = None):
        self.prediction = Prediction(
            label=label,
            confidence=confidence,
            is_confident=confidence >= 0.5 if is_confident is None else is_confident,
        )
        self.texts: list[str] = []

    def predict(self, text: str) -> Prediction | None:
        self.texts.append(text)
        return self.prediction


# --- The five types -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("请问公积金提取怎么办理，需要什么材料？", "consultation"),
        ("我想咨询一下新生儿医保在哪里办", "consultation"),
        ("我要投诉楼下饭店油烟扰民，每天晚上吵得睡不着", "complaint"),
        ("街道办工作人员态度恶劣，推诿不作为", "complaint"),
        ("我们小区停水了，家里有老人，帮帮忙", "help"),
        ("我是低保户，生活困难，想求助一下", "help"),
        ("建议在人民路增设一个公交站，方便老人出行", "suggestion"),
        ("我提议在小区门口加装减速带", "suggestion"),
        ("我要举报一家无证经营的黑作坊", "report"),
        ("化工厂晚上偷排污水到河里", "report"),
    ],
)
def test_each_request_type_is_recognised_from_its_cue_words(text, value):
    guess = guess_type(text)
    assert guess.value == value
    assert guess.is_confident
    assert guess.out_of_scope is None


def test_reason_names_the_deciding_words_and_the_type():
    guess = guess_type("请问公积金提取怎么办理，需要什么材料？")
    assert guess.reason == "“请问…怎么办理…需要什么材料”：咨询"
    assert guess.cues == ("请问", "怎么办理", "需要什么材料")


def test_cue_based_confidence_stays_modest():
    many_cues = "我要投诉，工地夜间施工噪音扰民，严重影响休息，一直没人管，态度恶劣"
    assert guess_type(many_cues).confidence <= 0.85


def test_every_value_is_one_of_the_django_choices():
    assert set(TYPES) == {
        "consultation",
        "complaint",
        "help",
        "suggestion",
        "report",
        "out_of_scope",
    }


# --- Negation and questions ---------------------------------------------------------------------


def test_not_a_complaint_only_a_question_is_a_consultation():
    guess = guess_type("不是投诉，只是想问问")
    assert guess.value == "consultation"
    assert "投诉" not in guess.cues


def test_negated_wrongdoing_does_not_count_as_a_report():
    guess = guess_type("那家店没有违法，我就是想问问营业时间")
    assert guess.value == "consultation"
    assert "违法" not in guess.cues


def test_a_question_alone_makes_consultation_likeliest_but_not_sure():
    assert guess_type("小区的路灯归哪个部门").reason == DOUBT
    guess = guess_type("小区的路灯归哪个部门？")
    assert guess.value == "consultation"
    assert not guess.is_confident


# --- Out of scope -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "我已经在法院起诉了，想问问你们能不能催一下",
        "这个案子法院已经立案了",
        "案子法院已经判了但执行不了，对方一直不还钱",
        "判决书下来半年了，对方拒不履行",
        "劳动仲裁已经裁决了，公司还是不给钱",
        "我们已经申请了强制执行，执行局一直拖着",
    ],
)
def test_case_already_in_court_is_out_of_scope_for_litigation(text):
    guess = guess_type(text)
    assert (guess.value, guess.out_of_scope) == (OUT_OF_SCOPE, LITIGATION)
    assert guess.confidence >= 0.85
    assert guess.reason.startswith("已进入诉讼、仲裁或执行程序的事项")


def test_enforcement_failing_after_a_judgment_is_litigation():
    guess = guess_type("法院那边说对方没有财产，执行不了，我该怎么办")
    assert guess.out_of_scope == LITIGATION
    assert guess.cues == ("执行不了",)


def test_a_policy_that_cannot_be_carried_out_is_no_court_matter():
    assert guess_type("小区垃圾分类政策执行不了，物业不管").out_of_scope is None


@pytest.mark.parametrize(
    "text",
    [
        "我想咨询一下怎么起诉对方",
        "还没有起诉，想先问问有没有别的办法",
        "拖欠工资，我想申请劳动仲裁，需要什么材料",
        "请问判决以后怎么申请执行",
    ],
)
def test_asking_how_to_sue_is_a_consultation_not_litigation(text):
    guess = guess_type(text)
    assert guess.out_of_scope is None
    assert guess.value == "consultation"


def test_list_of_demands_is_no_appeal():
    # 以上诉求 contains 上诉 (appeal).
    assert guess_type("物业乱收费，以上诉求请尽快处理").out_of_scope is None


@pytest.mark.parametrize(
    "text",
    [
        "这个事情信访局已经受理了，还在处理，我想问问进度",
        "我已经信访了，信访事项还在办理中",
        "我们几户人家一起上访过，信访复查还没结果",
    ],
)
def test_matter_still_with_petition_office_is_out_of_scope_for_petition(text):
    guess = guess_type(text)
    assert (guess.value, guess.out_of_scope) == (OUT_OF_SCOPE, PETITION)
    assert guess.reason.startswith("已进入信访程序的事项")


def test_having_once_been_to_the_petition_office_is_not_enough():
    guess = guess_type("我去信访局反映过，他们让我打12345，小区物业乱收费")
    assert guess.out_of_scope is None
    assert guess.value == "complaint"


def test_petition_office_refusing_the_matter_leaves_it_in_scope():
    assert guess_type("信访局不受理，说归住建局管，物业乱收费").out_of_scope is None


def test_threatening_to_petition_is_no_petition():
    guess = guess_type("这事再不解决我就去上访")
    assert guess.out_of_scope is None


def test_emergency_is_out_of_scope_with_the_service_to_transfer_to():
    guess = guess_type("家里闻到煤气味，不敢开灯，怎么办")
    assert (guess.value, guess.out_of_scope) == (OUT_OF_SCOPE, EMERGENCY)
    assert guess.cues == ("闻到煤气味",)
    assert guess.reason == "紧急警情，不予受理：疑似燃气泄漏，请立即转 119"


def test_past_fire_is_not_an_emergency():
    assert guess_type("上次着火的事情已经处理好了，想咨询赔偿").out_of_scope is None


def test_out_of_scope_wins_over_a_confident_model():
    model = FixedModel("complaint", 0.95)
    guess = guess_type("案子法院已经判了，对方不执行", model=model)
    assert guess.out_of_scope == LITIGATION
    assert model.texts == []  # not even asked


# --- A trained model ----------------------------------------------------------------------------


def test_confident_model_decides_when_the_cues_say_nothing():
    guess = guess_type("小区东门那块地方的事", model=FixedModel("suggestion", 0.7))
    assert (guess.value, guess.confidence, guess.reason) == ("suggestion", 0.7, MODEL_REASON)


def test_model_that_agrees_with_the_cues_raises_the_confidence():
    text = "我要投诉楼下饭店油烟扰民"
    alone = guess_type(text)
    both = guess_type(text, model=FixedModel("complaint", 0.7))
    assert both.value == "complaint"
    assert both.confidence > alone.confidence
    assert both.reason.startswith(MODEL_REASON)


def test_model_overrides_the_cues_when_it_is_sure_enough():
    guess = guess_type("请问这个补贴怎么申请", model=FixedModel("help", 0.8))
    assert guess.value == "help"
    assert guess.reason.startswith(MODEL_REASON)
    assert "咨询" in guess.reason  # the disagreement is shown


def test_cues_win_over_a_barely_confident_model():
    guess = guess_type("我要举报一家无证经营的黑作坊", model=FixedModel("consultation", 0.55))
    assert guess.value == "report"
    assert "倾向咨询" in guess.reason


def test_an_unsure_model_does_not_override_the_cues():
    guess = guess_type("我要投诉物业乱收费", model=FixedModel("help", 0.9, is_confident=False))
    assert guess.value == "complaint"


def test_model_labels_may_be_the_chinese_names():
    assert guess_type("小区东门那块地方的事", model=FixedModel("求助", 0.8)).value == "help"


def test_model_saying_out_of_scope_is_not_trusted_without_a_reason():
    guess = guess_type("我要投诉物业乱收费", model=FixedModel("out_of_scope", 0.9))
    assert guess.value == "complaint"


def test_model_reads_only_the_callers_words():
    model = FixedModel("complaint", 0.8)
    guess_type("坐席：您好，12345，请问有什么可以帮您？\n市民：楼上装修太吵了", model=model)
    assert model.texts == ["楼上装修太吵了"]


# --- Doubt --------------------------------------------------------------------------------------


def test_nothing_decisive_gives_a_low_confidence_guess_that_asks_to_confirm():
    guess = guess_type("我们小区门口那个事")
    assert guess.value in TYPES
    assert guess.confidence <= 0.35
    assert not guess.is_confident
    assert guess.reason == DOUBT


def test_an_unsure_model_still_beats_the_prior_when_there_is_no_cue():
    guess = guess_type("小区东门那块地方", model=FixedModel("help", 0.4, is_confident=False))
    assert (guess.value, guess.reason) == ("help", DOUBT)
    assert guess.confidence <= 0.35


def test_operator_greeting_is_not_a_consultation():
    transcript = "坐席：您好，12345，请问有什么可以帮您？\n市民：楼上装修噪音太大，吵得睡不着"
    assert guess_type(transcript).value == "complaint"


def test_is_confident_follows_the_confidence():
    assert TypeGuess("complaint", 0.5, "x").is_confident
    assert not TypeGuess("complaint", 0.49, "x").is_confident


# --- Bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["", "   \n ", None, "😀😀😀", "。。。！！", "嗯嗯，啊，对对对，喂", 42]
)
def test_empty_or_noise_only_text_gives_none(text):
    assert guess_type(text) is None


def test_english_text_gives_a_doubtful_guess():
    guess = guess_type("Hello, my neighbour is very noisy")
    assert guess.reason == DOUBT
    assert not guess.is_confident


def test_very_long_text_is_read_without_error():
    guess = guess_type("楼下饭店油烟扰民，" * 2300)
    assert guess.value == "complaint"


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=300))
def test_never_raises_on_any_text(text):
    guess = guess_type(text)
    assert guess is None or (guess.value in TYPES and 0 <= guess.confidence <= 1)
