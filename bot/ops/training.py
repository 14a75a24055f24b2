"""Train the Rasa model only when what it is trained from has changed.

The model's file name carries a hash of domain, config, training data and the intent model's code, so "is the model stale?"
is a file lookup, and old models can be kept side by side (the newest one matching wins).
"""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, List, Optional

from bot.ops.config import PROJECT_ROOT

DOMAIN = "domain"  # a folder: Rasa merges every YAML file in it
# The intent model's own code is an input too: it shapes the features at training and at prediction,
# so a change to it must retrain (issue 13).
TRAINING_INPUTS = (DOMAIN, "config.yml", "data", "bot/conversation/intent_model.py",
                   "bot/conversation/chat_text.py", "bot/conversation/rasa_intent_classifier.py",
                   "bot/analytics/names.py")
MODEL_PREFIX = "gouden-poort-"


def _input_files(root: Path) -> List[Path]:
    """Sorted, so the fingerprint does not depend on the order the file system lists a folder in."""
    files: List[Path] = []
    for name in TRAINING_INPUTS:
        path = root / name
        if path.is_dir():
            files.extend(p for p in path.rglob("*") if p.is_file() and p.suffix in {".yml", ".yaml", ".txt", ".csv", ".json"})
        elif path.is_file():
            files.append(path)
    return sorted(files)


def training_fingerprint(root: Path = PROJECT_ROOT) -> str:
    digest = hashlib.sha256()
    for path in _input_files(root):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def model_path(models_dir: Path, fingerprint: str) -> Path:
    return models_dir / f"{MODEL_PREFIX}{fingerprint}.tar.gz"


def rasa_env(extra: Optional[dict] = None) -> dict:
    env = dict(os.environ)
    env["RASA_TELEMETRY_ENABLED"] = "false"
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    env["PYTHONPATH"] = str(PROJECT_ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    if extra:
        env.update(extra)
    return env


def rasa_executable() -> str:
    return str(Path(sys.executable).with_name("rasa"))


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def ensure_model(models_dir: Path, log_dir: Path, root: Path = PROJECT_ROOT,
                 out: Optional[Callable[[str], None]] = None) -> Path:
    """Returns the model for the current training data, training it first if there is none."""
    write = (lambda msg: print(msg, flush=True)) if out is None else out
    fingerprint = training_fingerprint(root)
    target = model_path(models_dir, fingerprint)
    if target.exists():
        write(f"==> Model is actueel ({target.name}), niet opnieuw trainen")
        return target
    models_dir.mkdir(parents=True, exist_ok=True)
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / "train.log"
    write(f"==> Domein, config of data veranderd: model trainen (duurt een paar minuten, log: {log_path})")
    cmd = [rasa_executable(), "train", "--domain", DOMAIN, "--config", "config.yml",
           "--data", "data", "--out", str(models_dir), "--fixed-model-name", target.name[:-len(".tar.gz")]]
    started = time.monotonic()
    with log_path.open("w") as log:
        proc = subprocess.Popen(cmd, cwd=root, env=rasa_env(), stdout=log, stderr=subprocess.STDOUT)
        while proc.poll() is None:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                write(f"    ... nog bezig met trainen ({time.monotonic() - started:.0f} s)")
    if proc.returncode != 0 or not target.exists():
        raise RuntimeError(f"Trainen is mislukt (exit {proc.returncode}). Laatste regels van {log_path}:\n{_tail(log_path)}")
    seconds = time.monotonic() - started
    _record_training_time(target, seconds)
    write(f"==> Model getraind in {seconds:.0f} s: {target.name}")
    return target


def training_record_path(model: Path) -> Path:
    return model.with_name(model.name[:-len(".tar.gz")] + ".training.json")


def _record_training_time(model: Path, seconds: float) -> None:
    """Kept beside the model so `make bench` can report how long training took without training again,
    together with how busy the machine was (a figure from a loaded machine is not a fair figure)."""
    record = {"seconds": round(seconds, 1), "cpus": os.cpu_count(), "load_average": list(os.getloadavg()),
              "finished_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    try:
        training_record_path(model).write_text(json.dumps(record))
    except OSError:
        pass
