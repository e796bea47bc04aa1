"""Learned suggestions for a screen (coding screen, answer grid): the model is trained in a
worker thread so keys never wait for it, and retrained after every ``RETRAIN_EVERY`` codings
or verdicts; beside it the evaluation figures so far («slik har forslagene truffet så langt»)."""

from __future__ import annotations

import time
from collections.abc import Callable

from textual.screen import Screen

from coding import learn
from coding.errors import KodeverkError
from coding.store import Project

RETRAIN_EVERY = 5  # new codings or verdicts before the learned suggestions are retrained


LEARN_IDLE = 1.0  # seconds without a key before the learned suggestions are (re)trained


def evaluation_so_far(project: Project, coder: str) -> dict | None:
    """How the learned suggestions match ``coder`` now (cross-validated, as ``kodeverk suggest
    evaluate``); the last stored figures when there is too little to cross-validate."""
    try:
        return learn.evaluate(project, coder).as_dict()
    except KodeverkError:
        return learn.last_evaluation(project, coder)


class Learner:
    """The model of one screen's coder, retrained in a thread; ``model`` is None until a model
    with at least one learned code is ready. With ``idle`` (seconds), training waits until no
    key has been pressed (``touch``) for that long, so that it never competes with typing."""

    def __init__(
        self,
        screen: Screen,
        project: Project,
        coder: str,
        on_trained: Callable[[], None] | None = None,
        idle: float | None = None,
    ):
        self.screen = screen
        self.path = project.path  # the thread opens its own connection
        self.coder = coder
        self.on_trained = on_trained
        self.idle = idle
        self.model: learn.Model | None = None
        self.evaluation: dict | None = None  # the last «suggest evaluate» figures
        self.since_training = 0
        self._last_key = 0.0
        self._waiting = False
        self._training = False  # a training thread is running
        self._train_again = False  # codings changed while it ran: train once more after it
        self._away = False  # a dialog or another screen is on top: its keys are not seen here

    def touch(self) -> None:
        """A key was pressed (cheap: called on every key)."""
        self._last_key = time.monotonic()

    def away(self, away: bool) -> None:
        """The screen is suspended (``True``) or back (``False``): no training meanwhile."""
        self._away = away
        self.touch()

    def start(self) -> None:
        """(Re)train in a thread: keys never wait for it. One thread at a time (a thread cannot
        be cancelled): changes meanwhile train once more after it."""
        self.since_training = 0
        if self._training:
            self._train_again = True
        elif self.idle is None:
            self._run()
        elif not self._waiting:
            self._waiting = True
            self.screen.set_timer(self.idle, self._when_idle)

    def _when_idle(self) -> None:
        idle = self.idle
        assert idle is not None  # only scheduled with an idle time
        quiet = time.monotonic() - self._last_key
        if quiet < idle or self._away:
            self.screen.set_timer(idle if self._away else idle - quiet, self._when_idle)
            return
        self._waiting = False
        self._run()

    def _run(self) -> None:
        self._training = True
        self.screen.run_worker(self._train, thread=True, group="learn")

    def _train(self) -> None:
        model, evaluation = None, None
        try:
            with Project.open(self.path, migrate=False) as project:
                coder = learn.training_coder(project, None, self.coder)
                model = learn.model_for(project, coder)
                evaluation = evaluation_so_far(project, coder)
        except Exception:
            pass  # suggestions stay; learning must never take the screen down
        self.screen.app.call_from_thread(self._trained, model, evaluation)

    def _trained(self, model: learn.Model | None, evaluation: dict | None) -> None:
        self._training = False
        if model is not None:
            self.model = model if model.codes else None
            self.evaluation = evaluation
            if self.on_trained is not None:
                self.on_trained()
        if self._train_again:
            self._train_again = False
            self.start()

    def count(self) -> None:
        """One more coding or verdict: retrain after every ``RETRAIN_EVERY``."""
        self.since_training += 1
        if self.since_training >= RETRAIN_EVERY:
            self.start()

    def so_far(self, template: str) -> str | None:
        """``template`` (``{top3}``, ``{alpha}``, ``{coder}``) filled with the figures so far."""
        if not self.evaluation:
            return None
        fmt = lambda v: "–" if v is None else f"{v:.2f}"  # noqa: E731
        return template.format(
            top3=fmt(self.evaluation.get("top3_accuracy")),
            alpha=fmt(self.evaluation.get("pooled", {}).get("alpha")),
            coder=self.evaluation.get("coder", ""),
        )
