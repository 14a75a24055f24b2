"""Rasa pipeline component (config.yml: ``bot.conversation.rasa_pattern_intents.PatternIntentOverride``):
a few questions whose words leave no doubt get their intent from a pattern, whatever the classifier
guessed. It runs right after the intent classifier, so the topic extractor and the FallbackClassifier
see the overridden intent (confidence 1.0, the model's own guesses capped at 0.5 below it, so the
fallback's ambiguity check does not undo it).

- ``ask_meaning`` (issue 23): "wat betekent werkdagen?" was read as out_of_scope or thank and answered
  "Geen dank!". Short questions whose one word decides everything, where a model is unsure exactly where
  it matters; bot.conversation.glossary.find_term is deterministic and only knows the words of
  content/woordenlijst.yml. When the model already found the intent that explains that word itself
  (its "eigen_intent": "wat is bbl" is ask_training), the model's answer stays.
- ``ask_followup`` (issue 23 item 4): after the hand-off "wanneer belt kevin nou" was classified as
  request_human and got the intake offer again, "ik heb nog niks gehoord" the fallback. These follow-up
  questions are few and fixed in form (bot.handoff.after_handoff.followup_kind).
Every other message keeps the model's intent.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.conversation.glossary import find_term
from bot.conversation.rasa_component import StatelessComponent
from bot.handoff.after_handoff import followup_kind

MEANING_INTENT = "ask_meaning"
FOLLOWUP_INTENT = "ask_followup"
MAX_OTHER_CONFIDENCE = 0.5


def pattern_intent(intent: Dict[str, Any], text: str) -> Optional[str]:
    """The intent a pattern is sure of for ``text``, or None (the model's intent stays)."""
    if not text or text.startswith("/"):
        return None
    term = find_term(text)
    if term is not None and not (term.owner and intent.get("name") == term.owner):
        return MEANING_INTENT
    if followup_kind(text):
        return FOLLOWUP_INTENT
    return None


def overridden(intent: Dict[str, Any], ranking: List[Dict[str, Any]], text: str
               ) -> Tuple[Dict[str, Any], List[Dict[str, Any]]]:
    """(intent, ranking) after the override; the same objects when no pattern applies."""
    name = pattern_intent(intent, text)
    if name is None:
        return intent, ranking
    top = {"name": name, "confidence": 1.0}
    rest = [dict(r, confidence=min(float(r.get("confidence") or 0.0), MAX_OTHER_CONFIDENCE))
            for r in ranking or [] if r.get("name") != name]
    return top, [top] + rest


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class PatternIntentOverride(StatelessComponent):
    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            before = message.get(INTENT) or {}
            intent, ranking = overridden(before, message.get(INTENT_RANKING_KEY) or [], message.get(TEXT) or "")
            if intent is not before:
                message.set(INTENT, intent, add_to_output=True)
                message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
