"""Multi-turn conversations for the "bot that listens" scenarios (issue 23), and the repeat detector.

Every scenario talks to the session's real stack (tests/conftest.py ``stack``) through ``Talk`` and
ends with ``talk.check_no_repeats()``: no bot text twice in a row and no question more than three
times in one conversation. ``Talk`` keeps the whole transcript, so a failure prints the
conversation as a person would have read it.

``SCENARIOS`` counts the scenarios per module (each scenario test calls ``scenario(...)``); the
README's figure comes from ``pytest -m listening``.
"""
from __future__ import annotations

import re
import uuid
from collections import Counter
from typing import Any, Dict, List, Optional, Tuple

import pytest

listening = pytest.mark.listening
MAX_SAME_QUESTION = 3


def normalise(text: str) -> str:
    return " ".join(str(text or "").split()).strip().lower()


def questions_in(text: str) -> List[str]:
    """The sentences of a bot message that end in a question mark."""
    return [normalise(s) for s in re.findall(r"[^.!?\n]*\?", text or "") if len(normalise(s)) > 3]


def repeat_problems(bot_turns: List[List[str]]) -> List[str]:
    """What a person would notice as the bot repeating itself, given the bot's messages per turn.

    - the same message twice in a row (within a turn, or the last of one turn and the first of the next);
    - the whole reply to one message equal to the reply to the message before;
    - one question asked more than MAX_SAME_QUESTION times in the conversation.
    """
    problems: List[str] = []
    stream = [normalise(m) for turn in bot_turns for m in turn if normalise(m)]
    for before, after in zip(stream, stream[1:]):
        if before == after:
            problems.append(f"twice in a row: {after[:90]!r}")
    replies = ["\n".join(normalise(m) for m in turn) for turn in bot_turns]
    for n, (before, after) in enumerate(zip(replies, replies[1:]), start=1):
        if before and before == after:
            problems.append(f"same reply at turns {n} and {n + 1}: {after[:90]!r}")
    counts = Counter(q for m in stream for q in set(questions_in(m)))
    for question, count in counts.items():
        if count > MAX_SAME_QUESTION:
            problems.append(f"asked {count} times: {question[:90]!r}")
    return problems


class Talk:
    """One conversation over the REST channel of a running stack."""

    def __init__(self, stack, name: str = "talk"):
        self.stack = stack
        self.sender = f"{name}-{uuid.uuid4().hex[:10]}"
        self.turns: List[Tuple[str, List[Dict[str, Any]]]] = []

    def say(self, message: str) -> str:
        answer = self.stack.say(self.sender, message)
        self.turns.append((message, answer))
        return "\n".join(m.get("text", "") for m in answer if m.get("text"))

    def press(self, title: str) -> str:
        """Press a button of the last answer by its title (as the widget and Telegram send its payload)."""
        buttons = self.buttons()
        assert title in buttons, f"no button {title!r} in {list(buttons)}\n{self.transcript()}"
        return self.say(buttons[title])

    def buttons(self) -> Dict[str, str]:
        last = self.turns[-1][1] if self.turns else []
        return {b["title"]: b["payload"] for m in last for b in m.get("buttons") or []}

    @property
    def last(self) -> str:
        return "\n".join(m.get("text", "") for m in self.turns[-1][1] if m.get("text")) if self.turns else ""

    def slots(self) -> Dict[str, Any]:
        values: Dict[str, Any] = {}
        for event in self.stack.events(self.sender):
            if event.get("event") == "slot":
                values[event["name"]] = event.get("value")
            elif event.get("event") in ("reset_slots", "restart"):
                values = {}
        return values

    def slot(self, name: str) -> Any:
        return self.slots().get(name)

    def bot_turns(self) -> List[List[str]]:
        return [[m.get("text", "") for m in answer if m.get("text")] for _, answer in self.turns]

    def transcript(self) -> str:
        lines = []
        for message, answer in self.turns:
            lines.append(f"  > {message}")
            for m in answer:
                if m.get("text"):
                    lines.append("    " + m["text"].replace("\n", "\n    "))
                if m.get("buttons"):
                    lines.append("    [" + " | ".join(b["title"] for b in m["buttons"]) + "]")
        return "\n".join(lines)

    def check_no_repeats(self) -> None:
        problems = repeat_problems(self.bot_turns())
        assert not problems, "the bot repeats itself:\n- " + "\n- ".join(problems) + "\n" + self.transcript()

    def expect(self, pattern: str, text: Optional[str] = None) -> str:
        """Assert that the last answer (or ``text``) matches ``pattern`` (a regex, case-insensitive)."""
        said = self.last if text is None else text
        assert re.search(pattern, said, re.I | re.S), f"expected /{pattern}/ in the answer\n{self.transcript()}"
        return said

    def refuse(self, pattern: str, text: Optional[str] = None) -> None:
        said = self.last if text is None else text
        assert not re.search(pattern, said, re.I | re.S), f"did not expect /{pattern}/\n{self.transcript()}"
