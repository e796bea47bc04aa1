"""Learned suggestions (issue 17): training, suggestions, accept/reject, evaluation, no network."""

from __future__ import annotations

import json
import socket
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from coding import learn
from coding.operations import codings_of, undo
from coding.store import Project
from tests.conftest import run_kodeverk, table_dump
from tests.learn_fixture import build


@pytest.fixture
def labelled(tmp_path: Path) -> tuple[Path, dict]:
    path = tmp_path / "learn.kodeverk"
    return path, build(path)


def test_trains_per_code_and_suggests_the_theme_of_uncoded_answers(labelled) -> None:
    path, info = labelled
    with Project.open(path) as project:
        model = learn.model_for(project, "kari")
        assert sorted(model.codes) == sorted(info["codes"].values())
        units = learn.uncoded_units(project, learn.project_units(project), "kari")
        found = learn.suggest_for_units(project, units, model, top=3)
    by_doc = {u.document: s for u, s in zip(units, found, strict=True)}
    # never the interviewer's turn; the informant's turn is a unit
    assert all(u.text != "Hva med bolig, arbeid og forebygging i skolen?" for u in units)
    assert any(u.document == "intervju" for u in units)
    answers = {d: s for d, s in by_doc.items() if d in info["uncoded"]}
    assert set(answers) == set(info["uncoded"])
    right = sum(s[0].code == info["uncoded"][d] for d, s in answers.items())
    assert right / len(answers) >= 0.9
    for suggestions in answers.values():
        confidences = [s.confidence for s in suggestions]
        assert len(suggestions) == 3 and confidences == sorted(confidences, reverse=True)
        assert all(0 <= c <= 1 for c in confidences)


def test_too_few_examples_is_said(labelled) -> None:
    path, _ = labelled
    with Project.open(path) as project:
        from coding.codes import add_code
        from coding.operations import apply_coding

        code = add_code(project, "Sjelden")
        apply_coding(project, 1, code, "kari", 0, 5)
        model = learn.model_for(project, "kari")
        assert code in model.too_few and code not in model.codes
    result = run_kodeverk("suggest", path, "--from", "kari")
    assert result.returncode == 0, result.stderr
    assert "too few examples to learn: Sjelden" in result.stdout


def test_cli_json_lists_uncoded_units_with_suggestions(labelled) -> None:
    path, info = labelled
    result = run_kodeverk("suggest", path, "--from", "kari", "--top", "2", "--json")
    assert result.returncode == 0, result.stderr
    listed = json.loads(result.stdout)
    names = {row["document"] for row in listed}
    assert set(info["uncoded"]) <= names and "svar-001" not in names
    row = next(r for r in listed if r["document"] == "svar-000")
    assert set(row) == {"document", "start", "end", "suggestions"}
    assert [set(s) for s in row["suggestions"]] == [{"code", "confidence"}] * 2
    assert row["suggestions"][0]["code"] == info["uncoded"]["svar-000"]
    every = json.loads(
        run_kodeverk("suggest", path, "--from", "kari", "--documents", "all", "--json").stdout
    )
    assert "svar-001" in {r["document"] for r in every}


def test_apply_as_machine_coder_and_refuses_a_human(labelled) -> None:
    path, info = labelled
    before = table_dump(path)
    refused = run_kodeverk("suggest", path, "--from", "kari", "--apply-as", "kari")
    assert refused.returncode != 0 and "--apply-as kari" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    assert table_dump(path) == before
    done = run_kodeverk(
        "suggest", path, "--from", "kari", "--apply-as", "maskin", "--min-confidence", "0.5"
    )
    assert done.returncode == 0, done.stderr
    conn = sqlite3.connect(path)
    rows = conn.execute(
        "SELECT d.name, c.name FROM codings k JOIN coders r ON r.id = k.coder_id "
        "JOIN documents d ON d.id = k.document_id JOIN codes c ON c.id = k.code_id "
        "WHERE r.name = 'maskin'"
    ).fetchall()
    actions = {
        a
        for (a,) in conn.execute(
            "SELECT action FROM events e JOIN coders r ON r.id = e.coder_id WHERE r.name = 'maskin'"
        )
    }
    conn.close()
    assert rows and {d for d, _ in rows} <= set(info["uncoded"]) | {"intervju"}
    assert actions == {"suggestion.apply"}


def test_accept_and_reject_are_recorded_and_rejection_is_a_negative(labelled) -> None:
    path, _ = labelled
    with Project.open(path) as project:
        model = learn.model_for(project, "kari")
        units = learn.uncoded_units(project, learn.project_units(project), "kari")
        first, second = learn.suggest_for_units(project, units[:2], model)
        learn.accept_suggestion(project, "kari", first[0])
        coded = codings_of(project, first[0].document_id, "kari")
        assert [(c.code_id, c.start, c.end) for c in coded] == [
            (first[0].code_id, first[0].start, first[0].end)
        ]
        event = project.conn.execute(
            "SELECT action, summary FROM events WHERE action = 'coding.accept_suggestion'"
        ).fetchone()
        assert event and "accepted from a suggestion" in event[1]
        learn.reject_suggestion(project, "kari", second[0])
        row = project.conn.execute(
            "SELECT verdict FROM suggestion_feedback WHERE document_id = ? AND code_id = ?",
            (second[0].document_id, second[0].code_id),
        ).fetchone()
        assert row == ("rejected",)
        retrained = learn.model_for(project, "kari")
        assert retrained is not model
        again = learn.suggest_for_units(project, units[1:2], retrained)[0]
        assert second[0].code_id not in [s.code_id for s in again]
        assert undo(project, "kari").action == learn.REJECT_ACTION
        assert project.conn.execute(
            "SELECT count(*) FROM suggestion_feedback WHERE verdict = 'rejected'"
        ).fetchone() == (0,)


def test_copy_keeps_only_the_coders_feedback_and_no_model(labelled, tmp_path) -> None:
    from coding.copy import make_copy

    path, _ = labelled
    with Project.open(path) as project:
        model = learn.model_for(project, "kari")
        units = learn.uncoded_units(project, learn.project_units(project), "kari")
        first = learn.suggest_for_units(project, units[:1], model)[0][0]
        learn.reject_suggestion(project, "kari", first)
        learn.reject_suggestion(project, "ola", first)
        make_copy(project, tmp_path / "ola.kodeverk", "ola")
    conn = sqlite3.connect(tmp_path / "ola.kodeverk")
    rows = conn.execute(
        "SELECT r.name FROM suggestion_feedback f JOIN coders r ON r.id = f.coder_id"
    ).fetchall()
    tables = {n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    conn.close()
    assert rows == [("ola",)]
    assert not any("model" in t for t in tables)  # nothing learned is stored to go stale


def _alpha_binary(a: np.ndarray, b: np.ndarray) -> float:
    """Krippendorff's alpha for two coders and binary values, from its textbook formula."""
    values = np.concatenate([a, b]).astype(int)
    n = len(values)
    disagree = np.sum(a != b) * 2  # off-diagonal coincidences
    n1 = values.sum()
    n0 = n - n1
    return 1 - (n - 1) * disagree / (2 * n0 * n1)


def test_evaluation_equals_sklearn_metrics_on_the_same_folds(labelled) -> None:
    from sklearn.metrics import f1_score, precision_score, recall_score

    path, _ = labelled
    with Project.open(path) as project:
        result = learn.evaluate(project, "kari", folds=4, seed=3)
        units = learn.project_units(project)
        _, x = learn.features(project, units)
        codes, y = learn.label_matrix(learn.labels(project, units, "kari"), len(units))
    rows = np.flatnonzero(y.any(axis=1))
    x, y = x[rows], y[rows]
    proba = learn.cross_validated(x, y, codes, 4, 3, learn.MIN_EXAMPLES)
    chosen = proba >= 0.5
    chosen[np.arange(len(y)), proba.argmax(axis=1)] = True
    by_code = {s.code_id: s for s in result.per_code}
    for j, code in enumerate(codes):
        s = by_code[code]
        assert s.examples == y[:, j].sum()
        assert s.precision == pytest.approx(precision_score(y[:, j], chosen[:, j]))
        assert s.recall == pytest.approx(recall_score(y[:, j], chosen[:, j]))
        assert s.f1 == pytest.approx(f1_score(y[:, j], chosen[:, j]))
        assert s.alpha == pytest.approx(_alpha_binary(y[:, j], chosen[:, j]))
    assert result.pooled.precision == pytest.approx(precision_score(y, chosen, average="micro"))
    assert result.pooled.recall == pytest.approx(recall_score(y, chosen, average="micro"))
    assert result.pooled.f1 == pytest.approx(f1_score(y, chosen, average="micro"))
    assert result.pooled.alpha == pytest.approx(_alpha_binary(y.ravel(), chosen.ravel()))
    truth = y.argmax(axis=1)  # every fixture unit has one code
    ranked = np.argsort(-proba, axis=1)
    assert result.single_units == len(y)
    assert result.top1 == pytest.approx(np.mean(ranked[:, 0] == truth))
    assert result.top3 == pytest.approx(np.mean((ranked[:, :3] == truth[:, None]).any(axis=1)))
    assert result.top1 > 0.8


def test_evaluate_cli_json_and_table(labelled) -> None:
    path, _ = labelled
    out = run_kodeverk("suggest", "evaluate", path, "--from", "kari", "--folds", "3", "--json")
    assert out.returncode == 0, out.stderr
    figures = json.loads(out.stdout)
    assert figures["folds"] == 3 and len(figures["codes"]) == 3
    assert {"precision", "recall", "f1", "alpha", "examples", "code"} <= set(figures["pooled"])
    assert 0 <= figures["top3_accuracy"] <= 1
    table = run_kodeverk("suggest", "evaluate", path, "--from", "kari")
    assert table.returncode == 0 and "top-3 accuracy" in table.stdout
    with Project.open(path) as project:
        assert learn.last_evaluation(project, "kari")["folds"] == 5


def test_bad_input_is_one_line_and_changes_nothing(labelled) -> None:
    path, _ = labelled
    before = table_dump(path)
    for args in (["--from", "nobody"], ["evaluate", "--from", "nobody"]):
        cmd = (
            ["suggest", *args[:-2], path, *args[-2:]]
            if args[0] == "evaluate"
            else ["suggest", path, *args]
        )
        result = run_kodeverk(*cmd)
        assert result.returncode != 0
        assert "no coder named 'nobody'" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    assert table_dump(path) == before


def test_nothing_opens_a_network_connection(labelled, monkeypatch) -> None:
    path, _ = labelled
    tried: list[object] = []

    def refuse(*args, **kwargs):
        tried.append(args)
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    learn._CACHE.clear()
    learn._FEATURES.clear()
    with Project.open(path) as project:
        model = learn.model_for(project, "kari")
        units = learn.project_units(project)
        learn.suggest_for_units(project, units, model)
        learn.evaluate(project, "kari", folds=3)
        learn.reject_suggestion(
            project, "kari", learn.suggest_for_units(project, units[:1], model)[0][0]
        )
    assert tried == []


# -- the coding screen ----------------------------------------------------------------------------
async def _suggested_screen(app, pilot):
    from tui.screens.coding import CodingScreen

    screen = app.screen
    for _ in range(100):  # the model trains in a thread once the keys have rested a second
        await pilot.pause(0.1)
        await app.workers.wait_for_complete()
        screen = app.screen
        if isinstance(screen, CodingScreen) and screen.model is not None:
            break
    assert isinstance(screen, CodingScreen) and screen.model is not None
    await pilot.press("s")
    return screen


def _events(path: Path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT action, summary FROM events ORDER BY id").fetchall()
    finally:
        conn.close()


def _kari_codings(path: Path, document: str) -> list[tuple[str, int, int]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(
            'SELECT c.name, k.start, k."end" FROM codings k JOIN codes c ON c.id = k.code_id '
            "JOIN coders r ON r.id = k.coder_id JOIN documents d ON d.id = k.document_id "
            "WHERE r.name = 'kari' AND d.name = ? ORDER BY c.name",
            (document,),
        ).fetchall()
    finally:
        conn.close()


async def test_app_shows_learned_suggestions_and_accepts_the_first(labelled) -> None:
    from tui.app import KodeverkApp

    path, info = labelled
    with Project.open(path) as project:
        top3 = learn.evaluate(project, "kari").top3
    app = KodeverkApp(path, "kari", document_id=1)  # svar-000, uncoded
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _suggested_screen(app, pilot)
        first = screen.suggestions[0]
        assert first.learned and first.code_name == info["uncoded"]["svar-000"]
        learned_here = [s for s in screen.suggestions if s.learned]
        assert len(learned_here) == 3  # top 3, then the keyword ones
        assert [s.learned for s in screen.suggestions] == sorted(
            (s.learned for s in screen.suggestions), reverse=True
        )
        panel = str(screen.query_one("#on-selection").render())
        assert f"suggested: {first.code_name} {first.confidence:.0%}" in panel
        assert "alt+2" in panel and f"so far: top-3 {top3:.2f}" in panel
        await pilot.press("a")
    assert _kari_codings(path, "svar-000") == [(first.code_name, first.start, first.end)]
    action, summary = _events(path)[-2]
    assert action == "coding.accept_suggestion" and "accepted from a suggestion" in summary


async def test_app_alt_digit_accepts_another_and_r_rejects(labelled) -> None:
    from tui.app import KodeverkApp

    path, _ = labelled
    app = KodeverkApp(path, "kari", document_id=1)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _suggested_screen(app, pilot)
        second = screen.suggestions[1]
        await pilot.press("alt+2")
        assert _kari_codings(path, "svar-000") == [(second.code_name, second.start, second.end)]
        rejected = screen.suggestions[0]
        await pilot.press("r")
    conn = sqlite3.connect(path)
    rows = conn.execute(
        "SELECT code_id, verdict FROM suggestion_feedback ORDER BY verdict"
    ).fetchall()
    conn.close()
    assert rows == [(second.code_id, "accepted"), (rejected.code_id, "rejected")]
    assert _events(path)[-1][0] == learn.REJECT_ACTION


async def test_app_never_suggests_on_interviewer_turns(labelled) -> None:
    from tui.app import KodeverkApp

    path, _ = labelled
    with Project.open(path) as project:
        doc = project.conn.execute("SELECT id, text FROM documents WHERE name = 'intervju'")
        doc_id, text = doc.fetchone()
    app = KodeverkApp(path, "kari", document_id=doc_id)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _suggested_screen(app, pilot)
        assert screen.suggestions
        informant = text.index("Det mangler")
        assert all(s.start >= informant for s in screen.suggestions)
