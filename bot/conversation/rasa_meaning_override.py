"""Rasa pipeline component (config.yml: ``bot.conversation.rasa_meaning_override.MeaningOverride``)
that sets the intent ``ask_meaning`` for a clear question about a word of the glossary (issue 23).

"wat betekent werkdagen?" was read as out_of_scope or thank and answered "Geen dank!". The intent
model learns ask_meaning from data/nlu/ask_meaning.yml, but these questions are short and their word
decides everything, so a model is unsure exactly where it matters. bot.conversation.glossary.find_term
is deterministic: only "wat betekent X", "wat is (een) X", "wat bedoel je met X", "X? wat is dat" and
the like, and only when X is a word of content/woordenlijst.yml. Every other message keeps the
model's intent. It runs right after the intent classifier, so the topic extractor and the
FallbackClassifier see the overridden intent (confidence 1.0).
"""
from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.conversation.glossary import find_term
from bot.conversation.rasa_component import StatelessComponent

MEANING_INTENT = "ask_meaning"


def overridden(intent: Dict[str, Any], ranking: List[Dict[str, Any]], text: str):
    """(intent, ranking) after the override: unchanged unless ``text`` asks what a glossary word means
    and the model did not already find the intent that explains that word itself (its "eigen_intent")."""
    term = find_term(text)
    if term is None or (term.owner and intent.get("name") == term.owner):
        return intent, ranking
    top = {"name": MEANING_INTENT, "confidence": 1.0}
    rest = [dict(r, confidence=min(float(r.get("confidence") or 0.0), 0.5)) for r in ranking or []
            if r.get("name") != MEANING_INTENT]
    return top, [top] + rest


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class MeaningOverride(StatelessComponent):
    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            before = message.get(INTENT) or {}
            intent, ranking = overridden(before, message.get(INTENT_RANKING_KEY) or [], message.get(TEXT) or "")
            if intent is not before:
                message.set(INTENT, intent, add_to_output=True)
                message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
