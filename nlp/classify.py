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
import pickle
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

MAX_CHARS = 3000  # the start of a long text says what it is about; the rest costs time


@dataclass(frozen=True)
class Example:
    text: str
    label: str


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


@dataclass
class TextClassifier:
    """Character n-grams, TF-IDF, a calibrated linear SVM."""

    min_confidence: float = 0.5
    c: float = 1.0
    labels: list[str] = field(default_factory=list)
    _pipeline: object = None

    def fit(
        self, examples: Sequence[Example], hints: dict[str, list[str]] | None = None
    ) -> TextClassifier:
        """Learn from ``examples``; ``hints`` maps a label to phrases that belong to it
        (the category tree's names, the responsibility list's matters and keywords)."""
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.pipeline import make_pipeline
        from sklearn.svm import LinearSVC

        texts = [prepare(e.text) for e in examples]
        labels = [e.label for e in examples]
        known = set(labels)
        for label, phrases in (hints or {}).items():
            if label in known:  # a hint never invents a class the city has no example of
                unique = sorted({prepare(p) for p in phrases})
                texts.extend(unique)
                labels.extend(label for _ in unique)
        if len(set(labels)) < 2:
            raise ValueError("at least two labels are needed to learn a classifier")
        smallest = min(Counter(labels).values())
        svm = LinearSVC(C=self.c)
        model = (
            # ensemble=False: one machine fitted on every example, calibrated on
            # cross-validated scores (an ensemble of thirds would lose accuracy).
            CalibratedClassifierCV(svm, cv=min(3, smallest), method="sigmoid", ensemble=False)
            if smallest >= 2
            else svm
        )
        self._pipeline = make_pipeline(
            TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True), model
        )
        self._pipeline.fit(texts, labels)
        self.labels = [str(label) for label in self._pipeline.classes_]
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


def probabilities(model, features):
    if hasattr(model, "predict_proba"):
        return model.predict_proba(features)
    import numpy as np  # an uncalibrated SVM (a class with one example): softmax of scores

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
