"""`python -m bot nlu report` and the scoring behind it (issues 13 and 21) without Rasa: scores with
the fallback counted as wrong, the most confused messages, the baseline and the PNG. The run against a
real model is `python -m bot nlu report` and the gate in `make test`."""

from bot.ops import nlu_eval, nlu_report
from bot.ops.cli import build_parser
from bot.ops.nlu_sets import Example


ROWS = [{"text": "hoi", "intent": "greet", "predicted": "greet", "confidence": 0.99},
        {"text": "doei", "intent": "goodbye", "predicted": "goodbye", "confidence": 0.9},
        {"text": "ja ik geef toestemming", "intent": "affirm", "predicted": "delete_data", "confidence": 0.8},
        {"text": "ewa", "intent": "greet", "predicted": "inform", "confidence": 0.95},
        {"text": "hmm", "intent": "affirm", "predicted": "nlu_fallback", "confidence": 0.5}]


def test_most_confident_mistakes_come_first_and_a_fallback_counts_as_wrong():
    confused = nlu_report.most_confused(ROWS)
    assert [r["text"] for r in confused] == ["ewa", "ja ik geef toestemming", "hmm"]
    scores = nlu_eval.intent_scores([r["intent"] for r in ROWS], [r["predicted"] for r in ROWS])
    assert set(scores) == {"greet", "affirm", "goodbye"}
    assert scores["affirm"]["recall"] == 0.0 and scores["greet"]["recall"] == 0.5
    assert abs(nlu_eval.macro_f1(scores) - (2 / 3 / 3 + 1 / 3)) < 1e-3


def test_confusion_matrix_png_and_markdown(tmp_path):
    nlu_report.plot_confusion(ROWS, tmp_path / "m.png")
    assert (tmp_path / "m.png").read_bytes()[:4] == b"\x89PNG"
    report = {"test_set": "tests/nlu_dev", "messages": 5, "model": "m.tar.gz", "intent_macro_f1": 0.333,
              "intent_accuracy": 0.4,
              "intents": nlu_eval.intent_scores([r["intent"] for r in ROWS], [r["predicted"] for r in ROWS]),
              "baseline": {"macro_f1": 0.3, "per_intent": {}},
              "topic": {"accuracy": 1.0, "accuracy_words_only": 0.5, "n": 2, "wrong": []},
              "most_confused": nlu_report.most_confused(ROWS)}
    nlu_report.write_markdown(report, tmp_path)
    assert "| greet | 1.000 | 0.500 | 0.667 |" in (tmp_path / "scores.md").read_text()
    assert "ja ik geef toestemming | affirm | delete_data" in (tmp_path / "most_confused.md").read_text()


def test_test_set_report_shows_no_message(tmp_path):
    """The test set is measured, never read (issue 21): no most-confused list is written for it."""
    report = {"test_set": "tests/nlu", "messages": 5, "model": "m.tar.gz", "intent_macro_f1": 0.333,
              "intent_accuracy": 0.4, "intents": {}, "baseline": {"macro_f1": 0.3, "per_intent": {}},
              "topic": {"accuracy": 1.0, "accuracy_words_only": 0.5, "n": 2, "wrong": []},
              "most_confused": None}
    nlu_report.write_markdown(report, tmp_path)
    assert not (tmp_path / "most_confused.md").exists()
    assert "ewa" not in (tmp_path / "scores.md").read_text()


def test_baseline_learns_from_training_examples():
    train = [Example(t, i, "x") for t, i in [("hoi", "greet"), ("hallo", "greet"), ("hey daar", "greet"),
                                              ("doei", "goodbye"), ("tot ziens", "goodbye"), ("later", "goodbye")]]
    result = nlu_eval.baseline(train, [Example("hallo daar", "greet", "t"), Example("doei doei", "goodbye", "t")])
    assert result["macro_f1"] == 1.0


def test_expected_topic_answer_comes_from_the_annotation():
    assert nlu_report.expected_response(Example('ik ben een [meid]{"entity": "topic", "value": "gender"}', "doubt_fit",
                                                "t", (("topic", "meid", "gender"),))) == "utter_doubt_gender"
    assert nlu_report.expected_response(Example("is de gouden poort iets voor mij", "doubt_fit", "t")) == "utter_doubt_general"
    assert nlu_report.expected_response(Example("hoi", "greet", "t")) is None


def test_cli_has_the_command():
    args = build_parser().parse_args(["nlu", "report", "--model", "m.tar.gz"])
    assert args.func.__name__ == "cmd_nlu_report" and args.model == "m.tar.gz"


def test_dev_set_report_reads_the_development_set_and_writes_beside_the_test_report(monkeypatch, tmp_path):
    """The content team hunts for gaps in the development set; the test set stays the honest figure."""
    from pathlib import Path

    from bot.ops.nlu_sets import DEV_DIR, TEST_DIR

    calls = []
    monkeypatch.setattr(nlu_report, "build_report",
                        lambda model, out, test_dir, progress, label: calls.append((out, test_dir, label)))
    for argv in (["nlu", "report", "--model", "m.tar.gz"], ["nlu", "report", "--model", "m.tar.gz", "--set", "dev"]):
        args = build_parser().parse_args(argv)
        assert args.func(args) == 0
    assert calls == [(nlu_report.OUT_DIR, TEST_DIR, "testset"),
                     (Path("results/nlu_report_dev"), DEV_DIR, "ontwikkelset")]


def test_markdown_and_chart_name_the_set_they_measured(tmp_path):
    nlu_report.plot_confusion(ROWS, tmp_path / "m.png", "ontwikkelset")
    assert (tmp_path / "m.png").stat().st_size > 1000
    report = {"model": "m", "test_set": "tests/nlu_dev", "set_label": "ontwikkelset", "messages": 4,
              "intent_macro_f1": 0.5, "intent_accuracy": 0.5, "baseline": {"macro_f1": 0.4, "per_intent": {}},
              "topic": {"accuracy": 1.0, "n": 0, "accuracy_words_only": 1.0, "wrong": []},
              "intents": {}, "most_confused": []}
    nlu_report.write_markdown(report, tmp_path)
    assert (tmp_path / "scores.md").read_text().startswith("# NLU-rapport ontwikkelset (tests/nlu_dev")


def test_entity_scores_compare_the_values_the_actions_read():
    examples = [Example('wat verdien je in de [bouw]{"entity": "topic", "value": "construction"}', "ask_salary", "t",
                        (("topic", "bouw", "construction"),)),
                Example("hoeveel verdien ik", "ask_salary", "t"),
                Example('is [bbl](topic) zwaar', "ask_training", "t", (("topic", "bbl", None),))]
    parsed = [{"entities": [{"entity": "topic", "value": "construction"}]},
              {"entities": [{"entity": "topic", "value": "ict"}]},       # found where nothing was meant
              {"entities": [{"entity": "location", "value": "bbl"}]}]    # another entity does not count
    scores = nlu_eval.entity_scores(examples, parsed, ["topic"])["topic"]
    assert scores["n"] == 2
    assert scores["precision"] == 0.5 and scores["recall"] == 0.5


def test_gate_fails_below_the_minimum_and_too_close_to_the_baseline():
    from bot.ops import nlu_gate

    def result(f1, base, topic=0.9):
        return {"intent_macro_f1": f1, "baseline": {"macro_f1": base}, "entities": {"topic": {"f1": topic}}}

    assert nlu_gate.failures(result(0.95, 0.90)) == []
    assert len(nlu_gate.failures(result(0.91, 0.80))) == 1          # below 0.92
    assert len(nlu_gate.failures(result(0.94, 0.93))) == 1          # only +0.01 over the baseline
    assert len(nlu_gate.failures(result(0.95, 0.90, topic=0.7))) == 1
    assert len(nlu_gate.failures(result(0.80, 0.85, topic=0.1))) == 3


def test_gate_report_has_scores_but_no_messages():
    from bot.ops import nlu_gate

    rows = ROWS
    scores = nlu_eval.intent_scores([r["intent"] for r in rows], [r["predicted"] for r in rows])
    result = {"intents": scores, "baseline": {"per_intent": scores, "macro_f1": 0.3}, "baseline_strong": {"macro_f1": 0.4},
              "entities": {"topic": {"precision": 1, "recall": 1, "f1": 1, "n": 3}}, "rows": rows, "messages": 5,
              "fallbacks": 1, "intent_macro_f1": 0.5, "margin": 0.2}
    text = "\n".join(nlu_gate.report_lines(result))
    assert "greet" in text and "5 testberichten, 3 fout herkend" in text
    assert not any(r["text"] in text.split() for r in rows if len(r["text"]) > 3)
