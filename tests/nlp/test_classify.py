"""The category classifier: learns from examples and the category tree, says how sure it is."""

import pytest

from nlp.classify import Example, TextClassifier, evaluate

EXAMPLES = [
    Example("小区门口工地夜间施工噪音太大", "城乡建设"),
    Example("楼下工地打桩声音吵得睡不着", "城乡建设"),
    Example("物业不维修小区电梯", "城乡建设"),
    Example("化工厂排放废气，气味刺鼻", "环境保护"),
    Example("河道里有人倒污水，水发黑发臭", "环境保护"),
    Example("饭店油烟直排污染空气", "环境保护"),
    Example("公交车司机不按站点停车", "交通运输"),
    Example("出租车拒载还绕路", "交通运输"),
    Example("路口红绿灯坏了车辆拥堵", "交通运输"),
]


@pytest.fixture(scope="module")
def model():
    return TextClassifier().fit(EXAMPLES, hints={"环境保护": ["大气污染", "水污染"]})


def test_it_learns_the_categories_of_the_examples(model):
    assert model.predict("工地晚上施工噪音扰民").label == "城乡建设"
    assert model.predict("工厂偷排污水到河里").label == "环境保护"
    assert model.predict("出租车司机绕路多收费").label == "交通运输"


def test_confidence_is_a_probability_and_every_label_is_ranked(model):
    prediction = model.predict("工厂废气")
    assert 0 < prediction.confidence <= 1
    assert [label for label, _p in prediction.ranked][0] == prediction.label
    assert sorted(label for label, _p in prediction.ranked) == sorted(model.labels)
    assert abs(sum(p for _l, p in prediction.ranked) - 1) < 0.01


def test_a_doubtful_guess_says_so():
    model = TextClassifier(min_confidence=0.99).fit(EXAMPLES)
    assert model.predict("有点事情想反映一下").is_confident is False


@pytest.mark.parametrize("text", ["", "   ", "!!!???", "😀😀"])
def test_text_that_says_nothing_gives_no_prediction(model, text):
    assert model.predict(text) is None


def test_hints_never_invent_a_category_without_examples():
    model = TextClassifier().fit(EXAMPLES, hints={"教育文体": ["学校", "教育"]})
    assert "教育文体" not in model.labels


def test_english_and_very_long_text_are_handled(model):
    english = model.predict("The street light is broken")
    assert english is None or not english.is_confident or english.label in model.labels
    assert model.predict("施工噪音" * 5000).label == "城乡建设"


def test_a_trained_model_survives_saving(model):
    again = TextClassifier.loads(model.dumps())
    assert again.predict("工厂偷排污水").ranked == model.predict("工厂偷排污水").ranked


def test_one_label_is_not_enough_to_learn():
    with pytest.raises(ValueError):
        TextClassifier().fit([Example("噪音", "城乡建设"), Example("施工", "城乡建设")])


def test_evaluation_counts_precision_recall_and_f1_per_class():
    report = evaluate(["a", "a", "b", "b"], ["a", "b", "b", None])
    assert report["n"] == 4 and report["accuracy"] == 0.5
    assert report["per_class"]["a"] == {"precision": 1.0, "recall": 0.5, "f1": 0.6667, "n": 2}
    assert report["per_class"]["b"]["precision"] == 0.5
    assert report["macro_f1"] == round((0.6667 + 0.5) / 2, 4)


@pytest.mark.parametrize("classes", [2, 5])
def test_all_classes_at_once_give_scikit_learns_own_probabilities(classes):
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    from nlp.classify import SigmoidCalibrated, fit_calibrated

    words = "噪音 施工 污水 垃圾 路灯 公交 物业 电梯 停车 油烟".split()
    texts = [f"{words[i % 10]}{words[(i * 7) % 10]}{words[i % classes]}" for i in range(120)]
    labels = [f"c{i % classes}" for i in range(120)]
    features = TfidfVectorizer(analyzer="char", dtype=np.float32).fit_transform(texts)
    model = fit_calibrated(features, labels, [1.0] * len(labels), 1.0)
    fast = SigmoidCalibrated.of(model)
    assert isinstance(fast, SigmoidCalibrated)
    assert np.allclose(fast.predict_proba(features), model.predict_proba(features))


def test_many_examples_are_learnt_against_a_sample_of_the_others():
    from nlp import classify

    examples = [
        Example(
            f"{'噪音施工' if i % 3 == 0 else '停水漏水' if i % 3 == 1 else '公交拒载'}{i}",
            f"c{i % 3}",
        )
        for i in range(classify.LARGE + 300)
    ]
    model = TextClassifier().fit(examples)
    assert model.predict("晚上施工噪音").label == "c0"
    assert model.predict("家里停水了").label == "c1"
