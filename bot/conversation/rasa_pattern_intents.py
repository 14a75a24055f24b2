"""Rasa pipeline component: a few questions whose words leave no doubt get their intent from a
pattern, whatever the classifier guessed (config.yml, after the classifier, before the fallback).

Why: after the hand-off "wanneer belt kevin nou" was classified as request_human and got the intake
offer again, "ik heb nog niks gehoord" the fallback (issue 23 item 4). These follow-up questions
are few and fixed in form (bot.handoff.after_handoff.followup_kind), so a pattern is surer than a
classifier trained on a handful of examples. The classifier's own ranking is kept below it.
"""
from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional, Text, Tuple

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.handoff.after_handoff import followup_kind

# (intent, does this text surely mean it?)
PATTERNS: List[Tuple[str, Callable[[str], Any]]] = [
    ("ask_followup", followup_kind),
]


def pattern_intent(text: str) -> Optional[str]:
    if not text or text.startswith("/"):
        return None
    for intent, matches in PATTERNS:
        if matches(text):
            return intent
    return None


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class PatternIntentOverride(GraphComponent):
    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "PatternIntentOverride":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = pattern_intent(message.get(TEXT) or "")
            if intent is None:
                continue
            ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != intent]
            top = {"name": intent, "confidence": 1.0}
            message.set(INTENT, top, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [top, *ranking], add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
