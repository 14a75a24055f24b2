"""The intent model: TF-IDF over words and character pieces, then logistic regression (issue 13).

Why not DIET's intent: on chat messages unlike the training data DIET was confidently wrong, and a
plain TF-IDF + logistic regression beat it (content/nlu_pipeline.md). Rasa's own
LogisticRegressionClassifier reads raw counts with a fixed C; this one weights words by TF-IDF, reads
the text through ``chat_text.normalise_chat`` (folded spelling, markers for places, numbers, postcodes,
contact details) and is trained with misspelt copies of the training messages, so a typo it never saw
still looks like the word it knows. It is plain scikit-learn, so it is trained and tested without Rasa
(tests/test_intent_model.py); ``rasa_intent_classifier`` only plugs it into the pipeline.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Dict, FrozenSet, List, Sequence, Tuple

from bot.conversation.chat_text import normalise_chat

_KEYBOARD_NEIGHBOURS = {
    "a": "sqz", "b": "vn", "c": "xv", "d": "sf", "e": "wr", "f": "dg", "g": "fh", "h": "gj", "i": "uo",
    "j": "hk", "k": "jl", "l": "k", "m": "n", "n": "bm", "o": "ip", "p": "o", "q": "wa", "r": "et",
    "s": "ad", "t": "ry", "u": "yi", "v": "cb", "w": "qe", "x": "zc", "y": "tu", "z": "xa",
}


@dataclass
class IntentModelConfig:
    C: float = 10.0
    word_ngrams: Tuple[int, int] = (1, 2)
    char_ngrams: Tuple[int, int] = (2, 5)
    typo_copies: int = 1          # misspelt copies of each training message
    class_weight: str = ""        # "" or "balanced"
    max_iter: int = 3000
    seed: int = 42
    solver: str = "lbfgs"


def misspell(text: str, rng: random.Random) -> str:
    """One typing slip in a word of four letters or more: a letter dropped, doubled, swapped with the
    next one or replaced by a keyboard neighbour, the way people type on a phone."""
    words = text.split()
    candidates = [i for i, w in enumerate(words) if len(w) >= 4 and w.isalpha()]
    if not candidates:
        return text
    i = rng.choice(candidates)
    word = words[i]
    j = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(4)
    if kind == 0:
        word = word[:j] + word[j + 1:]
    elif kind == 1:
        word = word[:j] + word[j] + word[j:]
    elif kind == 2:
        word = word[:j] + word[j + 1] + word[j] + word[j + 2:]
    else:
        word = word[:j] + rng.choice(_KEYBOARD_NEIGHBOURS.get(word[j], word[j])) + word[j + 1:]
    words[i] = word
    return " ".join(words)


@dataclass
class IntentModel:
    config: IntentModelConfig = field(default_factory=IntentModelConfig)
    places: FrozenSet[str] = frozenset()
    vectorizers: list = field(default_factory=list)
    classifier: object = None

    def _prepare(self, texts: Sequence[str]) -> List[str]:
        return [normalise_chat(t, self.places) for t in texts]

    def _features(self, texts: Sequence[str], fit: bool = False):
        from scipy.sparse import hstack

        prepared = self._prepare(texts)
        if fit:
            return hstack([v.fit_transform(prepared) for v in self.vectorizers]).tocsr()
        return hstack([v.transform(prepared) for v in self.vectorizers]).tocsr()

    def fit(self, texts: Sequence[str], intents: Sequence[str]) -> "IntentModel":
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        if len(set(intents)) < 2:
            raise ValueError("het intentmodel heeft voorbeelden van minstens twee intents nodig")
        rng = random.Random(self.config.seed)
        texts, intents = list(texts), list(intents)
        for _ in range(self.config.typo_copies):
            texts += [misspell(t.lower(), rng) for t in texts[:len(intents)]]
        intents = intents * (1 + self.config.typo_copies)
        self.vectorizers = [
            TfidfVectorizer(analyzer="word", ngram_range=tuple(self.config.word_ngrams), sublinear_tf=True,
                            token_pattern=r"(?u)\b\w+\b"),
            TfidfVectorizer(analyzer="char_wb", ngram_range=tuple(self.config.char_ngrams), sublinear_tf=True),
        ]
        self.classifier = LogisticRegression(C=self.config.C, max_iter=self.config.max_iter,
                                             class_weight=self.config.class_weight or None,
                                             solver=self.config.solver, random_state=self.config.seed)
        self.classifier.fit(self._features(texts, fit=True), intents)
        return self

    @property
    def intents(self) -> List[str]:
        return [str(c) for c in self.classifier.classes_]

    def rank(self, texts: Sequence[str]) -> List[List[Tuple[str, float]]]:
        """Per text: every intent with its probability, most likely first."""
        probabilities = self.classifier.predict_proba(self._features(texts))
        names = self.intents
        return [sorted(zip(names, map(float, row)), key=lambda pair: -pair[1]) for row in probabilities]

    def predict(self, texts: Sequence[str]) -> List[str]:
        return [ranking[0][0] for ranking in self.rank(texts)]

    # Saving: the fitted scikit-learn objects go through skops (no pickle, as Rasa's own classifier),
    # the settings and the place list as plain data beside them.
    def state(self) -> Dict[str, object]:
        return {"config": self.config.__dict__, "places": sorted(self.places)}

    @classmethod
    def from_state(cls, state: Dict[str, object], vectorizers: list, classifier: object) -> "IntentModel":
        config = IntentModelConfig(**{k: tuple(v) if isinstance(v, list) else v
                                      for k, v in dict(state["config"]).items()})
        return cls(config=config, places=frozenset(state["places"]), vectorizers=list(vectorizers),
                   classifier=classifier)

