"""Which category (or request type) a message belongs to, with a calibrated confidence.

The default model reads character n-grams (1 to 3 characters: Chinese needs no word
segmentation for this) weighted by TF-IDF, and a linear support-vector machine whose scores
are turned into probabilities by cross-validated calibration. Besides the labelled examples
it learns from what every city already has: the words of its category tree (a category's
own name and its sub-categories' names are examples of it).

A city may plug in a stronger model: anything with ``fit`` and ``predict`` as in
``TextClassifier`` will do.
"""

from __future__ import annotations

import io
import itertools
import pickle
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.pipeline import Pipeline

MAX_CHARS = 3000  # the start of a long text says what it is about; the rest costs time
MAX_FEATURES = 100_000  # the most frequent n-grams kept: bounds the model's size at scale
# From this many examples on, calibration uses a held-out slice instead of refitting the
# machine three times (the same quality at a quarter of the cost).
LARGE = 5_000
CALIBRATION_SHARE = 0.1
KEEP_WEIGHTS = 4_000  # the strongest n-gram weights kept per class (see ``compact``)
MAX_UNLABELLED = 100_000  # unlabelled texts the vocabulary and its weights are fitted on
MIN_DF_FROM = 200  # from this many texts on, n-grams seen only once are left out
NEGATIVES = 8_000  # other-class examples each class is fitted against at scale


@dataclass(frozen=True)
class Example:
    text: str
    label: str
    weight: float = 1.0  # a person's correction counts more than an unchecked label


@dataclass(frozen=True)
class Prediction:
    label: str
    confidence: float  # calibrated probability of ``label``
    ranked: tuple[tuple[str, float], ...] = ()  # every label, most likely first
    is_confident: bool = True  # False: show it as a guess, never hide the doubt

    @property
    def alternatives(self) -> tuple[tuple[str, float], ...]:
        return self.ranked[1:4]


class Classifier(Protocol):
    def fit(self, examples: Sequence[Example], hints: dict[str, list[str]] | None = None): ...

    def predict(self, text: str) -> Prediction | None: ...


def prepare(text: str) -> str:
    """Full-width forms folded, lower case, cut to the part that matters."""
    return unicodedata.normalize("NFKC", text or "").lower()[:MAX_CHARS]


def document(title: str, text: str) -> str:
    """A message as the classifier reads it: the title weighs twice."""
    return f"{title}。{title}。{text}" if title else text


def new_vectorizer(texts: int):
    """Character 1-3-grams weighted by TF-IDF, for a corpus of ``texts`` texts."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        analyzer="char",
        ngram_range=(1, 3),
        sublinear_tf=True,
        # An n-gram seen in one text only is noise once there are hundreds of texts; with a
        # handful of examples every n-gram counts.
        min_df=2 if texts >= MIN_DF_FROM else 1,
        max_features=MAX_FEATURES,
        dtype=np.float32,
    )


def forget_unused_terms(vectorizer) -> None:
    """scikit-learn keeps the n-grams left out by ``max_features`` for inspection only; at
    scale they would make the saved model ten times bigger."""
    vectorizer.stop_words_ = None


@dataclass
class TextClassifier:
    """Character n-grams, TF-IDF, a calibrated linear SVM."""

    min_confidence: float = 0.5
    c: float = 1.0
    labels: list[str] = field(default_factory=list)
    _pipeline: object = None

    def fit(
        self,
        examples: Sequence[Example],
        hints: dict[str, list[str]] | None = None,
        unlabelled: Iterable[str] = (),
    ) -> TextClassifier:
        """Learn from ``examples``; ``hints`` maps a label to phrases that belong to it
        (the category tree's names, the responsibility list's matters and keywords);
        ``unlabelled`` texts of the same city (no label needed) teach which n-grams are
        common and which are telling, nothing more."""
        texts = [prepare(e.text) for e in examples]
        labels = [e.label for e in examples]
        weights = [e.weight for e in examples]
        known = set(labels)
        for label, phrases in (hints or {}).items():
            if label in known:  # a hint never invents a class the city has no example of
                unique = sorted({prepare(p) for p in phrases})
                texts.extend(unique)
                labels.extend(label for _ in unique)
                weights.extend(1.0 for _ in unique)
        corpus = texts + [prepare(text) for text in itertools.islice(unlabelled, MAX_UNLABELLED)]
        vectorizer = new_vectorizer(len(corpus))
        matrix = vectorizer.fit_transform(corpus)
        forget_unused_terms(vectorizer)
        return self.fit_features(vectorizer, matrix[: len(texts)], labels, weights)

    def fit_features(self, vectorizer, features, labels: list[str], weights: list[float]):
        """Learn from rows already turned into n-gram weights by ``vectorizer`` (fitted): the
        way to train several classifiers over one city's texts with one pass over them."""
        if len(set(labels)) < 2:
            raise ValueError("at least two labels are needed to learn a classifier")
        model = SigmoidCalibrated.of(fit_calibrated(features, labels, weights, self.c))
        self._pipeline = Pipeline([("tfidf", vectorizer), ("model", model)])
        self.labels = [str(label) for label in model.classes_]
        return self

    def predict(self, text: str) -> Prediction | None:
        """The most likely label, or None when the text says nothing (empty, noise)."""
        return self.predict_many([text])[0]

    def predict_many(self, texts: Iterable[str]) -> list[Prediction | None]:
        if self._pipeline is None:
            raise RuntimeError("the classifier has not been trained")
        prepared = [prepare(t) for t in texts]
        found: list[Prediction | None] = [None] * len(prepared)
        todo = [i for i, t in enumerate(prepared) if t.strip()]
        if not todo:
            return found
        features = self._pipeline[:-1].transform([prepared[i] for i in todo])
        model = self._pipeline[-1]
        rows = probabilities(model, features)
        for k, (row, i) in enumerate(zip(rows, todo, strict=True)):
            if features[k].nnz == 0:  # no known character n-gram at all
                continue
            ranked = sorted(zip(self.labels, row, strict=True), key=lambda x: -x[1])
            label, confidence = ranked[0]
            found[i] = Prediction(
                label=label,
                confidence=round(float(confidence), 4),
                ranked=tuple((name, round(float(p), 4)) for name, p in ranked),
                is_confident=float(confidence) >= self.min_confidence,
            )
        return found

    def dumps(self) -> bytes:
        """The trained model as bytes, for a versioned file or database row."""
        buffer = io.BytesIO()
        pickle.dump(self, buffer, protocol=pickle.HIGHEST_PROTOCOL)
        return buffer.getvalue()

    @staticmethod
    def loads(data: bytes) -> TextClassifier:
        """A model written by ``dumps``. Only load files the platform wrote itself."""
        return pickle.loads(data)  # noqa: S301 - our own model files


def fit_calibrated(features, labels: list[str], weights: list[float], c: float):
    """A linear SVM whose scores are calibrated into probabilities (sigmoid)."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.frozen import FrozenEstimator
    from sklearn.model_selection import train_test_split
    from sklearn.svm import LinearSVC

    counts = Counter(labels)
    smallest = min(counts.values())
    weights = np.asarray(weights, dtype=np.float64)
    if len(labels) < LARGE or smallest < 2 or len(counts) > len(labels) * CALIBRATION_SHARE / 2:
        svm = LinearSVC(C=c)
        if smallest < 2:  # a class with one example cannot be calibrated
            return svm.fit(features, labels, sample_weight=weights)
        # ensemble=False: one machine fitted on every example, calibrated on
        # cross-validated scores (an ensemble of thirds would lose accuracy).
        model = CalibratedClassifierCV(svm, cv=min(3, smallest), method="sigmoid", ensemble=False)
        model.fit(features, labels, sample_weight=weights)
        for calibrated in model.calibrated_classifiers_:
            compact(calibrated.estimator)
        return model
    rows = np.arange(len(labels))
    fit_rows, calibration_rows = train_test_split(
        rows, test_size=CALIBRATION_SHARE, random_state=0, stratify=labels
    )
    labels_array = np.asarray(labels)
    machine = SampledOneVsRest(c=c).fit(
        features[fit_rows], labels_array[fit_rows], sample_weight=weights[fit_rows]
    )
    model = CalibratedClassifierCV(FrozenEstimator(machine), method="sigmoid")
    return model.fit(features[calibration_rows], labels_array[calibration_rows])


class SampledOneVsRest(ClassifierMixin, BaseEstimator):
    """One linear SVM per class against a sample of the other classes, fitted on every
    core and kept as one sparse weight matrix.

    A city's history has hundreds of categories and a hundred thousand orders: one machine
    per class against every other order costs classes × orders, an hour on two cores. Each
    class's own orders against ``negatives`` others keeps the boundary (the calibration
    that follows corrects the scores' scale) at a tenth of the cost.
    """

    def __init__(self, c: float = 1.0, negatives: int = NEGATIVES, seed: int = 0):
        self.c = c
        self.negatives = negatives
        self.seed = seed

    def fit(self, features, labels, sample_weight=None):
        from joblib import Parallel, delayed

        labels = np.asarray(labels)
        weights = np.ones(len(labels)) if sample_weight is None else np.asarray(sample_weight)
        self.classes_ = np.unique(labels)
        rng = np.random.default_rng(self.seed)
        jobs = []
        for label in self.classes_:
            positive = np.flatnonzero(labels == label)
            negative = np.flatnonzero(labels != label)
            if len(negative) > self.negatives:
                negative = rng.choice(negative, self.negatives, replace=False)
            rows = np.sort(np.concatenate([positive, negative]))
            jobs.append((rows, labels[rows] == label))
        fitted = Parallel(n_jobs=-1, prefer="threads")(
            delayed(fit_binary)(features[rows], target, weights[rows], self.c)
            for rows, target in jobs
        )
        from scipy import sparse

        self.coef_ = sparse.vstack([coef for coef, _b in fitted]).tocsr()
        self.intercept_ = np.array([b for _coef, b in fitted], dtype=np.float32)
        self.n_features_in_ = features.shape[1]
        return self

    def decision_function(self, features):
        return np.asarray((features @ self.coef_.T).todense()) + self.intercept_

    def predict(self, features):
        return self.classes_[self.decision_function(features).argmax(axis=1)]


def fit_binary(features, target, weights, c: float):
    """One class against the rest: its strongest weights (sparse) and its intercept."""
    from sklearn.svm import LinearSVC

    svm = LinearSVC(C=c).fit(features, target, sample_weight=weights)
    compact(svm)
    return svm.coef_, float(svm.intercept_[0])


def compact(svm) -> None:
    """Keep each class's strongest weights only, as a sparse matrix: a city's 300
    categories over 100,000 n-grams would otherwise weigh 240 MB; this keeps a few MB and
    the same decisions (the dropped weights are the smallest)."""
    from scipy import sparse

    coef = np.asarray(svm.coef_, dtype=np.float32)
    if coef.shape[1] > KEEP_WEIGHTS:
        cut = np.partition(np.abs(coef), -KEEP_WEIGHTS, axis=1)[:, -KEEP_WEIGHTS][:, None]
        coef = np.where(np.abs(coef) >= cut, coef, 0)
    svm.coef_ = sparse.csr_matrix(coef)


class SigmoidCalibrated:
    """A linear machine and the per-class sigmoids that scikit-learn's calibration fitted
    for it, applied to every class at once: scikit-learn applies them one class at a time,
    a millisecond each, which for a city's 300 categories is most of a draft's time."""

    def __init__(self, machine, a: np.ndarray, b: np.ndarray, classes: np.ndarray):
        self.machine, self.a, self.b, self.classes_ = machine, a, b, classes

    @classmethod
    def of(cls, model):
        """The fitted ``CalibratedClassifierCV`` (one calibrated machine) in this form;
        anything else is returned as it is."""
        if not hasattr(model, "calibrated_classifiers_") or len(model.calibrated_classifiers_) != 1:
            return model
        (calibrated,) = model.calibrated_classifiers_
        machine = getattr(calibrated.estimator, "estimator", calibrated.estimator)  # frozen
        if list(machine.classes_) != list(model.classes_):
            return model
        a = np.array([c.a_ for c in calibrated.calibrators], dtype=np.float64)
        b = np.array([c.b_ for c in calibrated.calibrators], dtype=np.float64)
        return cls(machine, a, b, model.classes_)

    def predict_proba(self, features) -> np.ndarray:
        from scipy.special import expit

        scores = self.machine.decision_function(features)
        if scores.ndim == 1:  # two classes: one sigmoid for the second
            positive = expit(-(self.a[0] * scores + self.b[0]))
            return np.column_stack([1 - positive, positive])
        found = expit(-(scores * self.a + self.b))
        total = found.sum(axis=1, keepdims=True)
        uniform = np.full_like(found, 1 / found.shape[1])
        return np.divide(found, total, out=uniform, where=total != 0)


def probabilities(model, features):
    if hasattr(model, "predict_proba"):
        return model.predict_proba(features)
    scores = model.decision_function(features)
    if scores.ndim == 1:
        scores = np.stack([-scores, scores], axis=1)
    exp = np.exp(scores - scores.max(axis=1, keepdims=True))
    return exp / exp.sum(axis=1, keepdims=True)


# --- evaluation ------------------------------------------------------------------------------


def evaluate(truth: Sequence[str], predicted: Sequence[str | None]) -> dict:
    """Accuracy, macro-F1 and per-class precision, recall, F1 and support."""
    labels = sorted(set(truth) | {p for p in predicted if p is not None})
    per_class = {}
    for label in labels:
        tp = sum(1 for t, p in zip(truth, predicted, strict=True) if t == label and p == label)
        fp = sum(1 for t, p in zip(truth, predicted, strict=True) if t != label and p == label)
        fn = sum(1 for t, p in zip(truth, predicted, strict=True) if t == label and p != label)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class[label] = {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
            "n": sum(1 for t in truth if t == label),
        }
    scored = [v for k, v in per_class.items() if v["n"]]
    correct = sum(1 for t, p in zip(truth, predicted, strict=True) if t == p)
    return {
        "n": len(truth),
        "accuracy": round(correct / len(truth), 4) if truth else 0.0,
        "macro_f1": round(sum(v["f1"] for v in scored) / len(scored), 4) if scored else 0.0,
        "per_class": per_class,
    }
