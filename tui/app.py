"""The kodeverk coding app: overview → coding screen, codebook editor, review, prevalence."""

from __future__ import annotations

import dataclasses
import gc
import importlib
import math
import time
from contextlib import ExitStack
from pathlib import Path
from typing import ClassVar

from textual import events
from textual.app import App
from textual.binding import BindingType
from textual.notifications import SeverityLevel
from textual.screen import Screen

from coding import operations as ops
from coding.accounts import can
from coding.documents import has_document
from coding.errors import KodeverkError, ProjectGone
from coding.gc_pause import collector_paused
from coding.store import Project
from tui.i18n import set_language, t, translate_bindings
from tui.keymap import screen_bindings
from tui.leaks import forget_on_screen_change, release_captured_stderr, steady_mmap_threshold
from tui.messages import FileGone, LeaveCoding, OpenDocument, OpenScreen
from tui.palette import KodeverkCommands
from tui.screens.coding import CodingScreen
from tui.screens.overview import OverviewScreen

EXTRA_SCREENS = {
    "review": ("tui.screens.review", "ReviewScreen"),
    "prevalence": ("tui.screens.prevalence", "PrevalenceScreen"),
    "matrix": ("tui.screens.matrix", "MatrixScreen"),
    "goals": ("tui.screens.goals", "GoalsScreen"),
}


# The cycle collector rests while the first screen is built and shown (everything made then
# lives on: a full pass then cost 40–50 ms of a 0.16 s first paint, issue 13), and runs once
# half a second after, at a pause in the typing: that pass is a key's worth of time, so a coder
# who types at once does not wait for it (keys every QUIET_FOR or faster put it off, at most
# until FREEZE_LATEST after the open).
FREEZE_AFTER = 0.5
QUIET_FOR = 0.25
FREEZE_LATEST = 3.0


class KodeverkApp(App):
    """Open a project for one coder. Everything shown is already committed to the file."""

    CSS_PATH = "app.tcss"
    TITLE = "kodeverk"
    COMMANDS = App.COMMANDS | {KodeverkCommands}
    BINDINGS: ClassVar[list[BindingType]] = screen_bindings("app")

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every notification is plain text: messages name codes, coders, documents and files,
        and a name like ``[b]K2`` is not markup (the catalogue has none either)."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def __init__(
        self,
        project: Project | str | Path,
        coder: str,
        *,
        document_id: int | None = None,
        resume: bool = True,
        role: str | None = None,
        answers: str | bool | None = None,
        lang: str | None = None,
    ) -> None:
        # the language first: screens and bindings made from here on use it
        self.lang = set_language(lang)
        super().__init__()
        translate_bindings(self)
        # None: a project without accounts (all screens open); else the signed-in account's
        # role, fixed for the session like the coder's name
        self.role = role
        self.project = project if isinstance(project, Project) else Project.open(project)
        self._owns_project = not isinstance(project, Project)
        self.coder = coder
        self.start_document = document_id
        self.resume = resume
        # open on the answer grid: True for all questions, a str for one question
        self.start_answers = answers
        self.recent_codes: list[int] = []  # newest first; shared by the coding screens
        name = self.project.meta("name") or self.project.path.stem
        self.title = name if len(name) <= 28 else name[:27] + "…"
        self.sub_title = (
            t("app.sub_title_role", coder=coder, role=role)
            if role
            else t("app.sub_title", coder=coder)
        )
        # set when the project file was removed or replaced: nothing more is saved
        self.write_problem: str | None = None
        self._collector_rest = ExitStack()  # closed by the freeze timer or when the app closes
        self._keymap_problems: list[str] = []

    def get_default_screen(self) -> Screen:
        """The app's first screen, made as the app starts (before ``on_mount``): the coding
        screen when the app opens on a document. Textual mounts its default screen once; a
        screen pushed over Textual's own is laid out and drawn again after it has mounted,
        a second layout and frame after the first (issue 13). The overview and the answer
        grid are pushed over Textual's own screen (``on_mount``)."""
        self._collector_rest.enter_context(collector_paused())
        self._keymap_problems = self._apply_keymap()  # before any screen's keys are shown
        opened = self._first_document()
        if opened is None:
            return super().get_default_screen()
        document_id, segment = opened
        screen = CodingScreen(self.project, self.coder, document_id, segment)
        screen._push_result_callback(self, None)  # as pushed: replaced by the overview later
        return screen

    def _first_document(self) -> tuple[int, int] | None:
        """The document (and segment) the app opens on, if it opens on one."""
        if self._opens_answers:
            return None
        document_id, segment = self.start_document, 0
        if document_id is None and self.resume:
            document_id, segment = self._left_off()
        elif document_id is not None:
            segment = self._remembered_segment(document_id)
        return None if document_id is None else (document_id, segment)

    @property
    def _opens_answers(self) -> bool:
        """The app opens on the answer grid (``--answers``, with or without a question)."""
        return self.start_answers is not None and self.start_answers is not False

    _froze = False  # what it held frozen (an app closed before its mount froze nothing)
    _last_key_at = -math.inf  # time.monotonic() of the latest key

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key):
            self._last_key_at = time.monotonic()
        await super().on_event(event)

    def on_mount(self) -> None:
        self._first_screens: tuple[Screen, ...] = ()
        self._mounted_at = time.monotonic()
        self.set_timer(FREEZE_AFTER, self._freeze_what_is_held)
        self.call_after_refresh(self._remember_first_screens)
        steady_mmap_threshold()
        forget_on_screen_change(self)
        for problem in self._keymap_problems:
            self.notify(t("app.keymap_problem", problem=problem), severity="warning", timeout=15)
        if self.project.readonly:
            self.sub_title = t("app.sub_title_readonly", coder=self.coder)
            self.notify(
                t("app.readonly", reason=self.project.readonly_reason),
                title=t("app.readonly_title"),
                severity="warning",
                timeout=10,
            )
        if isinstance(self.screen, CodingScreen):  # the overview: built when the coder goes back
            return
        if self._opens_answers:
            question = self.start_answers if isinstance(self.start_answers, str) else None
            self.action_answers(question)  # the overview is built only when the coder goes back
            return
        self.push_screen(OverviewScreen(self.project, self.coder))

    def _remember_first_screens(self) -> None:
        self._first_screens = tuple(self.screen_stack)

    def _freeze_what_is_held(self) -> None:
        """Once, not per screen: what the app holds from here on (Textual, the project, the
        code tree, the first document) stays out of the collector's full passes (they showed as
        30–60 ms pauses on keys in a 20 000-segment document); then the collector runs again.
        Frozen only while the screens are the ones the app opened with: a screen visited
        meanwhile would, frozen, never be collected once closed."""
        now = time.monotonic()
        typing = now - self._last_key_at < QUIET_FOR
        if typing and now - self._mounted_at < FREEZE_LATEST:
            self.set_timer(QUIET_FOR, self._freeze_what_is_held)
            return
        gc.collect()
        if tuple(self.screen_stack) == self._first_screens:
            gc.freeze()
            self._froze = True
        self._collector_rest.close()

    def _apply_keymap(self) -> list[str]:
        """The user's keymap file (binding ids to keys); a bad file's problems are returned,
        for warnings once the app is up, not a crash."""
        from tui.keymap import load_keymap

        keymap, problems = load_keymap()
        if keymap:
            self.set_keymap(keymap)
        return problems

    def write_refused(self, exc: KodeverkError) -> None:
        """A write was refused: a notification. A project file gone from disk is said once,
        and stays on screen: every later write is refused too."""
        if not isinstance(exc, ProjectGone):
            self.notify(str(exc), severity="error")
            return
        if self.write_problem is None:
            self.write_problem = str(exc)
            self.sub_title = t("app.sub_title_gone", coder=self.coder)
            self.notify(str(exc), title=t("app.nothing_saved"), severity="error", timeout=24 * 3600)
        else:
            self.notify(t("app.not_saved_gone"), severity="error")

    def leave_coding(self, screen: CodingScreen) -> None:
        """Back from a coding screen: to the overview or the answer grid it was opened from
        (building the overview if the app started on the document)."""
        from tui.screens.answers import AnswersScreen

        below = self.screen_stack[-2] if len(self.screen_stack) > 1 else None
        if isinstance(below, OverviewScreen | AnswersScreen):
            screen.dismiss()
        else:
            self.switch_screen(OverviewScreen(self.project, self.coder))

    def _left_off(self) -> tuple[int | None, int]:
        last = ops.recall(self.project, self.coder, "last_document")
        if not last or not last.isdigit():
            return None, 0
        if not has_document(self.project, int(last)):
            return None, 0
        return int(last), self._remembered_segment(int(last))

    def _remembered_segment(self, document_id: int) -> int:
        value = ops.recall(self.project, self.coder, f"segment:{document_id}")
        return int(value) if value and value.isdigit() else 0

    # -- what the screens ask for (tui.messages) ------------------------------------------------
    def on_open_document(self, message: OpenDocument) -> None:
        self.open_document(message.document_id, message.segment)

    def on_open_screen(self, message: OpenScreen) -> None:
        opens = {
            "answers": self.action_answers,
            "codebook": self.action_codebook,
            "review": self.action_review,
            "prevalence": self.action_prevalence,
            "matrix": self.action_matrix,
            "goals": self.action_goals,
        }
        opens[message.name]()

    def on_leave_coding(self, message: LeaveCoding) -> None:
        if isinstance(self.screen, CodingScreen):
            self.leave_coding(self.screen)

    def on_file_gone(self, message: FileGone) -> None:
        self.write_refused(message.error)

    def open_document(self, document_id: int, segment: int | None = None) -> None:
        if segment is None or segment == 0:
            segment = self._remembered_segment(document_id)
        self.push_screen(CodingScreen(self.project, self.coder, document_id, segment))

    # -- roles ---------------------------------------------------------------------------------
    def allowed(self, action: str) -> bool:
        """May this coder open ``action`` (review, all_coders, prevalence, codebook, ...)? A
        refusal is said in a notification."""
        if can(self.role, action):
            return True
        self.notify(
            t("app.lead_only", what=action.replace("_", "-"), coder=self.coder),
            title=t("app.lead_only_title"),
            severity="warning",
        )
        return False

    # -- other screens -------------------------------------------------------------------------
    def action_help(self) -> None:
        from tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_codebook(self) -> None:
        from tui.screens.codebook_editor import CodebookEditorScreen

        if not self.allowed("codebook"):
            return
        self.push_screen(CodebookEditorScreen(self.project, self.coder))

    def action_answers(self, question: str | None = None) -> None:
        from tui.screens.answers import AnswersScreen

        if not isinstance(self.screen, AnswersScreen):
            self.push_screen(AnswersScreen(self.project, self.coder, question))

    def action_review(self) -> None:
        self._push_extra("review")

    def action_prevalence(self) -> None:
        self._push_extra("prevalence")

    def action_matrix(self) -> None:
        self._push_extra("matrix")

    def action_goals(self) -> None:
        self._push_extra("goals")

    def _push_extra(self, name: str) -> None:
        if not self.allowed(name):
            return
        module_name, class_name = EXTRA_SCREENS[name]
        screen_class = getattr(importlib.import_module(module_name), class_name)
        self.push_screen(screen_class(self.project, self.coder))

    def palette_commands(self) -> list[tuple[str, str, object]]:
        commands = [
            ("overview", self.action_overview, ""),
            ("answers", self.action_answers, ""),
            ("codebook", self.action_codebook, "codebook"),
            ("review", self.action_review, "review"),
            ("prevalence", self.action_prevalence, "prevalence"),
            ("matrix", self.action_matrix, "matrix"),
            ("goals", self.action_goals, "goals"),
            ("help", self.action_help, ""),
        ]
        return [
            (t(f"screen.{name}"), t(f"palette.{name}"), callback)
            for name, callback, action in commands
            if not action or can(self.role, action)
        ]

    def hide_lead_keys(self, screen: Screen, keys: dict[str, str]) -> None:
        """Take a coder's refused keys ({key: action}) out of ``screen``'s footer; pressing
        them still says why nothing opens."""
        if can(self.role, "review"):  # a lead, or no accounts
            return
        by_key = screen._bindings.key_to_bindings
        for key, action in keys.items():
            if not can(self.role, action) and key in by_key:
                by_key[key] = [dataclasses.replace(b, show=False) for b in by_key[key]]

    def action_overview(self) -> None:
        first = 1 if type(self.screen_stack[0]) is Screen else 0  # Textual's own screen under it
        while len(self.screen_stack) > first + 1:
            self.pop_screen()
        if isinstance(self.screen, CodingScreen):
            self.leave_coding(self.screen)

    def on_unmount(self) -> None:
        release_captured_stderr()
        self._collector_rest.close()  # closed within the first half second: collector back on
        if self._froze:  # what the app held may now be collected (a process that opens another)
            gc.unfreeze()
        if self._owns_project:
            self.project.close()
