"""Rasa pipeline component that adds a ``language`` entity (en/nl) to clearly English or clearly Dutch
messages (config.yml: ``bot.conversation.rasa_language_extractor.LanguageEntityExtractor``).

The ``language`` slot (domain/taal.yml) is filled from this entity, and the responses in domain/ have
English variations with the condition ``language: en`` (issue 23, item 11). When unsure ("ok", a
postcode, a name, a button) it adds nothing, so the conversation keeps its language. The guess is
``bot.conversation.language.detect_language``; it needs no training.
"""
from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.conversation.language import detect_language
from bot.conversation.rasa_component import StatelessComponent

ENTITY = "language"


def language_entity(text: str) -> Dict[str, Any] | None:
    """The entity as Rasa writes it, spanning the whole message (the language is the message's)."""
    value = detect_language(text)
    if value is None:
        return None
    return {"entity": ENTITY, "value": value, "start": 0, "end": len(text),
            "confidence_entity": 1.0, "extractor": LanguageEntityExtractor.__name__}


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class LanguageEntityExtractor(StatelessComponent, EntityExtractorMixin):
    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if not text or any(e.get("entity") == ENTITY for e in message.get(ENTITIES) or []):
                continue
            entity = language_entity(text)
            if entity is not None:
                message.set(ENTITIES, (message.get(ENTITIES) or []) + [entity], add_to_output=True)
        return messages
