"""Rasa pipeline component around ``intent_model.IntentModel`` (config.yml:
``bot.conversation.rasa_intent_classifier.ChatIntentClassifier``).

It reads the message text itself, not the featurizers' counts, and it learns the place markers from
the pipeline's own ``location`` lookup table (data/nlu/lookups/plaatsen.yml, Bron: CBS). It is the
pipeline's only intent classifier since issue 21. ``diet_weight`` > 0 averages its ranking with one an
earlier classifier set (measured in round 3 with DIET, docs/nlu_pipeline.md; not used now).
"""
from __future__ import annotations

import json
import logging
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.conversation.chat_text import place_names
from bot.conversation.intent_model import IntentModel, IntentModelConfig

logger = logging.getLogger(__name__)

_FIELDS = set(IntentModelConfig.__dataclass_fields__)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class ChatIntentClassifier(IntentClassifier, GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**IntentModelConfig().__dict__, "place_lookup": "location", "diet_weight": 0.0,
                "ranking_length": 10}

    @staticmethod
    def required_packages() -> List[Text]:
        return ["sklearn", "skops"]

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 model: Optional[IntentModel] = None) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.model = model

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "ChatIntentClassifier":
        return cls(config, model_storage, resource)

    def _model_config(self) -> IntentModelConfig:
        return IntentModelConfig(**{k: tuple(v) if isinstance(v, list) else v
                                    for k, v in self.config.items() if k in _FIELDS})

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        lookup = next((t for t in training_data.lookup_tables if t.get("name") == self.config["place_lookup"]), None)
        places = place_names(lookup["elements"]) if lookup else frozenset()
        self.model = IntentModel(config=self._model_config(), places=places).fit(
            [e.get(TEXT) for e in examples], [e.get(INTENT) for e in examples])
        self.persist()
        return self._resource

    def process(self, messages: List[Message]) -> List[Message]:
        if self.model is None:
            return messages
        rankings = self.model.rank([m.get(TEXT) or "" for m in messages])
        weight = float(self.config["diet_weight"])
        for message, ranking in zip(messages, rankings):
            if weight > 0 and message.get(INTENT_RANKING_KEY):
                diet = {r["name"]: r["confidence"] for r in message.get(INTENT_RANKING_KEY)}
                ranking = sorted(((name, (1 - weight) * p + weight * diet.get(name, 0.0)) for name, p in ranking),
                                 key=lambda pair: -pair[1])
            ranked = [{"name": name, "confidence": p} for name, p in ranking]
            message.set(INTENT, ranked[0], add_to_output=True)
            length = int(self.config["ranking_length"])
            message.set(INTENT_RANKING_KEY, ranked[:length] if length > 0 else ranked, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def persist(self) -> None:
        import skops.io as sio

        with self._model_storage.write_to(self._resource) as folder:
            sio.dump({"vectorizers": self.model.vectorizers, "classifier": self.model.classifier},
                     folder / "intent_model.skops")
            (folder / "intent_model.json").write_text(json.dumps(self.model.state()), encoding="utf-8")

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "ChatIntentClassifier":
        import skops.io as sio

        try:
            with model_storage.read_from(resource) as folder:
                path = folder / "intent_model.skops"
                untrusted = [t for t in sio.get_untrusted_types(file=path) if not _sklearn_or_numpy(t)]
                if untrusted:
                    raise ValueError(f"unexpected types in {path.name}: {untrusted}")
                parts = sio.load(path, trusted=sio.get_untrusted_types(file=path))
                state = json.loads((folder / "intent_model.json").read_text(encoding="utf-8"))
        except ValueError as error:
            logger.warning("Intentmodel niet geladen (%s); dit onderdeel geeft geen intent.", error)
            return cls(config, model_storage, resource)
        return cls(config, model_storage, resource,
                   IntentModel.from_state(state, parts["vectorizers"], parts["classifier"]))


def _sklearn_or_numpy(type_name: str) -> bool:
    return type_name.split(".")[0] in {"sklearn", "numpy", "scipy", "builtins"}
