"""`python -m bot nlu report` (issue 13) without Rasa: reading rasa's output, the most confused
messages, the baseline and the PNG. The run against a real model is `python -m bot nlu report`."""
import json

from bot.ops import nlu_report
from bot.ops.cli import build_parser
from bot.ops.nlu_sets import Example


def _rasa_out(tmp_path):
    out = tmp_path / "rasa"
    out.mkdir()
    (out / "intent_successes.json").write_text(json.dumps([
        {"text": "hoi", "intent": "greet", "intent_prediction": {"name": "greet", "confidence": 0.99}},
        {"text": "doei", "intent": "goodbye", "intent_prediction": {"name": "goodbye", "confidence": 0.9}}]))
    (out / "intent_errors.json").write_text(json.dumps([
        {"text": "ja ik geef toestemming", "intent": "affirm",
         "intent_prediction": {"name": "delete_data", "confidence": 0.8}},
        {"text": "ewa", "intent": "greet", "intent_prediction": {"name": "inform", "confidence": 0.95}}]))
    (out / "intent_report.json").write_text(json.dumps({
        "greet": {"precision": 1.0, "recall": 0.5, "f1-score": 0.667, "support": 2},
        "affirm": {"precision": 0.0, "recall": 0.0, "f1-score": 0.0, "support": 1},
        "macro avg": {"precision": 0.5, "recall": 0.25, "f1-score": 0.333, "support": 3}}))
    return out


def test_reads_rasa_output_and_sorts_the_most_confident_mistakes_first(tmp_path):
    out = _rasa_out(tmp_path)
    rows = nlu_report.predictions(out)
    assert len(rows) == 4
    confused = nlu_report.most_confused(rows)
    assert [r["text"] for r in confused] == ["ewa", "ja ik geef toestemming"]
    scores = nlu_report.intent_scores(out)
    assert set(scores) == {"greet", "affirm"}
    assert abs(nlu_report.macro_f1(scores) - 0.3335) < 1e-3


def test_confusion_matrix_png_and_markdown(tmp_path):
    rows = nlu_report.predictions(_rasa_out(tmp_path))
    nlu_report.plot_confusion(rows, tmp_path / "m.png")
    assert (tmp_path / "m.png").read_bytes()[:4] == b"\x89PNG"
    report = {"test_set": "tests/nlu", "messages": 4, "model": "m.tar.gz", "intent_macro_f1": 0.333,
              "intent_accuracy": 0.5, "intents": nlu_report.intent_scores(tmp_path / "rasa"),
              "baseline": {"macro_f1": 0.3, "per_intent": {}},
              "topic": {"accuracy": 1.0, "accuracy_words_only": 0.5, "n": 2, "wrong": []},
              "most_confused": nlu_report.most_confused(rows)}
    nlu_report.write_markdown(report, tmp_path)
    assert "| greet | 1.000 | 0.500 | 0.667 |" in (tmp_path / "scores.md").read_text()
    assert "ja ik geef toestemming | affirm | delete_data" in (tmp_path / "most_confused.md").read_text()


def test_baseline_learns_from_training_examples():
    train = [Example(t, i, "x") for t, i in [("hoi", "greet"), ("hallo", "greet"), ("hey daar", "greet"),
                                              ("doei", "goodbye"), ("tot ziens", "goodbye"), ("later", "goodbye")]]
    result = nlu_report.baseline(train, [Example("hallo daar", "greet", "t"), Example("doei doei", "goodbye", "t")])
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
    rows = nlu_report.predictions(_rasa_out(tmp_path))
    nlu_report.plot_confusion(rows, tmp_path / "m.png", "ontwikkelset")
    assert (tmp_path / "m.png").stat().st_size > 1000
    report = {"model": "m", "test_set": "tests/nlu_dev", "set_label": "ontwikkelset", "messages": 4,
              "intent_macro_f1": 0.5, "intent_accuracy": 0.5, "baseline": {"macro_f1": 0.4, "per_intent": {}},
              "topic": {"accuracy": 1.0, "n": 0, "accuracy_words_only": 1.0, "wrong": []},
              "intents": {}, "most_confused": []}
    nlu_report.write_markdown(report, tmp_path)
    assert (tmp_path / "scores.md").read_text().startswith("# NLU-rapport ontwikkelset (tests/nlu_dev")
