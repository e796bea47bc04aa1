"""Learned suggestions in the answer grid (issue 17): shown for the highlighted answer with names
and confidences beside the figures so far; a / alt+digit accept, r rejects, through the Pilot
into the SQLite file."""

from __future__ import annotations

from pathlib import Path

import pytest

from coding import learn
from coding.store import Project
from tests.learn_fixture import build
from tests.test_answer_grid import sql
from tui.app import KodeverkApp
from tui.screens.answers import SUGGEST_DELAY, AnswersScreen

SIZE = (100, 30)


@pytest.fixture
def labelled(tmp_path: Path) -> tuple[Path, dict]:
    path = tmp_path / "learn.kodeverk"
    return path, build(path)


def doc_id(path: Path, name: str) -> int:
    return sql(path, "SELECT id FROM documents WHERE name = ?", (name,))[0][0]


def codings(path: Path, coder: str, document: str) -> list[tuple[str, int, int]]:
    return sql(
        path,
        'SELECT c.name, k.start, k."end" FROM codings k JOIN codes c ON c.id = k.code_id '
        "JOIN coders r ON r.id = k.coder_id JOIN documents d ON d.id = k.document_id "
        "WHERE r.name = ? AND d.name = ? ORDER BY c.name",
        (coder, document),
    )


def length(path: Path, document: str) -> int:
    return sql(path, "SELECT length FROM documents WHERE name = ?", (document,))[0][0]


async def settled(app: KodeverkApp, pilot, learned: bool = True, until=None) -> AnswersScreen:
    """Wait for the model (trained in a thread once the keys rest) and the current answer's
    suggestions (sought in a thread once the cursor rests), and for ``until()`` if given."""
    screen = app.screen
    assert isinstance(screen, AnswersScreen)
    for _ in range(40):
        await pilot.pause(SUGGEST_DELAY + 0.05)
        await app.workers.wait_for_complete()
        await pilot.pause()
        trained = screen.learner.model is not None or not learned
        if trained and screen.here() and not screen.workers and (until is None or until()):
            return screen
    raise AssertionError("no suggestions for the current answer")


def status(screen: AnswersScreen) -> str:
    return str(screen.query_one("#answer-status").render())


async def test_grid_shows_learned_then_keyword_suggestions_with_confidences(labelled) -> None:
    path, info = labelled
    with Project.open(path) as project:
        top3 = learn.evaluate(project, "kari").top3
    app = KodeverkApp(path, "kari", answers=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settled(app, pilot)
        assert screen.current.document_id == doc_id(path, "svar-000")  # the first uncoded
        here = screen.here()
        first = here[0]
        assert first.learned and first.code_name == info["uncoded"]["svar-000"]
        assert len([s for s in here if s.learned]) == 3  # top 3 learned, then keyword ones
        assert [s.learned for s in here] == sorted((s.learned for s in here), reverse=True)
        assert len({s.code_id for s in here}) == len(here)  # combined, each code once
        text = status(screen)
        assert f"a {first.code_name} {first.confidence:.0%}" in text
        assert f"alt+2 {here[1].code_name} {here[1].confidence:.0%}" in text
        assert f"so far: top-3 {top3:.2f}, alpha " in text and "r reject" in text


@pytest.mark.parametrize(("key", "n"), [("a", 0), ("alt+2", 1)])
async def test_a_or_alt_digit_accepts_for_the_whole_answer_and_moves_on(labelled, key, n) -> None:
    path, _ = labelled
    app = KodeverkApp(path, "kari", answers=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settled(app, pilot)
        chosen = screen.here()[n]  # a: the first; alt+2: the second
        await pilot.press(key)
        assert codings(path, "kari", "svar-000") == [
            (chosen.code_name, 0, length(path, "svar-000"))
        ]
        action, summary = sql(path, "SELECT action, summary FROM events ORDER BY id")[-2]
        assert action == "coding.accept_suggestion" and "accepted from a suggestion" in summary
        moved = screen.current
        assert moved.document_id != doc_id(path, "svar-000") and not moved.codes  # next uncoded
    assert sql(path, "SELECT code_id, verdict FROM suggestion_feedback") == [
        (chosen.code_id, "accepted")
    ]


async def test_r_rejects_as_a_negative_and_it_is_not_proposed_again(labelled) -> None:
    path, _ = labelled
    app = KodeverkApp(path, "kari", answers=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settled(app, pilot)
        rejected = screen.here()[0]
        before = screen.learner.model
        await pilot.press("r")
        assert screen.current.document_id == doc_id(path, "svar-000")  # stays on the answer
        assert rejected.code_id not in {s.code_id for s in screen.here()}
        rows = sql(path, 'SELECT code_id, verdict, start, "end" FROM suggestion_feedback')
        assert rows == [(rejected.code_id, "rejected", 0, length(path, "svar-000"))]
        assert sql(path, "SELECT action FROM events ORDER BY id")[-1] == (learn.REJECT_ACTION,)
        screen.learner.start()  # retrain now (as after every few verdicts)
        await settled(app, pilot, until=lambda: screen.learner.model is not before)
        assert screen.learner.model is not before  # learned again, with the rejection
        assert screen.here() and rejected.code_id not in {s.code_id for s in screen.here()}
    assert codings(path, "kari", "svar-000") == []


async def test_keyword_suggestions_while_there_is_too_little_to_learn(labelled) -> None:
    path, _ = labelled
    app = KodeverkApp(path, "ola", answers=True)  # ola has coded nothing: nothing to learn
    async with app.run_test(size=SIZE) as pilot:
        screen = await settled(app, pilot, learned=False)
        assert screen.learner.model is None
        here = screen.here()
        assert here and not any(s.learned for s in here)
        assert here[0].code_name == "Bolig" and here[0].matched.casefold().startswith("bolig")
        text = status(screen)
        assert "a Bolig «" in text and "still learning from the codings" in text
        await pilot.press("a")
        assert codings(path, "ola", "svar-000") == [("Bolig", 0, length(path, "svar-000"))]
        assert screen.current.document_id != doc_id(path, "svar-000")


async def test_suggestions_sought_before_the_model_was_trained_are_sought_again(
    labelled, monkeypatch
) -> None:
    """The race: the current answer's suggestions are sought (keyword only, no model yet) while
    the model finishes training. The keyword-only list must not stay as that answer's
    suggestions: the answer is sought again with the model."""
    import threading

    import tui.screens.answers as answers_module

    path, info = labelled
    app = KodeverkApp(path, "kari", answers=True)
    original = answers_module.answer_suggestions
    trained = threading.Event()

    def slow_without_a_model(project, document_id, text, span, coder, model):
        found = original(project, document_id, text, span, coder, model)
        if model is None:  # hold the keyword-only result until the model has arrived
            for _ in range(600):
                if app.screen.learner.model is not None:  # type: ignore[attr-defined]
                    trained.set()
                    break
                threading.Event().wait(0.05)
        return found

    monkeypatch.setattr(answers_module, "answer_suggestions", slow_without_a_model)
    async with app.run_test(size=SIZE) as pilot:
        screen = await settled(app, pilot, until=lambda: screen_has_learned(app))
        assert trained.is_set()  # the race did happen
        first = screen.here()[0]
        assert first.learned and first.code_name == info["uncoded"]["svar-000"]


def screen_has_learned(app: KodeverkApp) -> bool:
    here = app.screen.here()  # type: ignore[attr-defined]
    return bool(here) and here[0].learned
