"""The answer grid: code survey answers whole, one key per answer.

A digit applies the code with that key to the whole answer and moves to the next uncoded one;
``space`` holds the row so that more digits add codes (``space`` again moves on). Keys for the
whole codebook as in ``tui.shortcuts`` (``1`` then ``2``: the second child of code 1; ``.``
repeats; ``alt+1``…``alt+5`` the recent codes). Every write goes through ``coding.operations``
first; the row is then re-read from the file.

The codes proposed for the highlighted answer (learned ones with confidences, then keyword
ones) are shown under the grid: ``a`` accepts the first, ``alt+digit`` another, ``r`` rejects the
first (kept as a negative example). They are computed in a thread once the cursor rests, from a
model trained in a thread (``tui.learning``), so no key waits for them.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Header, Input, Static

from coding import learn
from coding import operations as ops
from coding.answers import Answer, answer_codes, list_answers, questions
from coding.codes import CodeRow, list_codes
from coding.errors import KodeverkError
from coding.journal import Event
from coding.store import Project
from tui.i18n import Section
from tui.keymap import palette_actions, palette_entries, screen_bindings
from tui.learning import LEARN_IDLE, Learner
from tui.messages import OpenDocument
from tui.screens.base import REFUSED, ProjectScreen, step_back
from tui.shortcuts import KeyState, build_keymap
from tui.suggestions import Suggestion, answer_suggestions
from tui.widgets.answer_grid import AnswerGrid
from tui.widgets.steady_footer import SteadyFooter

SORTS = ("question", "length", "attribution", "code")
SUGGEST_DELAY = 0.3  # seconds the cursor rests on an answer before its suggestions are sought
FILTERS_KEPT = 64  # filter texts whose answers are kept (a backspace finds them again)
STATUS_LINES = 3  # the status line, then the recent codes, the waiting sub-codes or suggestions
TEXT = Section("grid")
PALETTE = palette_actions("answers")


class AnswersScreen(ProjectScreen):
    """Survey answers in rows; digits code the whole answer and move on."""

    AUTO_FOCUS = "AnswerGrid"  # not the filter first: one footer fewer to compose
    HELP_TITLE = "screen.answers"
    HELP_DOC = "grid.doc"
    BINDINGS: ClassVar[list[BindingType]] = screen_bindings("answers")

    def __init__(self, project: Project, coder: str, question: str | None = None) -> None:
        super().__init__(project, coder)
        self.question = question
        self.blind = True
        self.sort = 0
        self.filter_text = ""
        self.codes: list[CodeRow] = list_codes(project)
        self.code_by_id = {c.id: c for c in self.codes}
        self.keys = KeyState(build_keymap(self.codes))
        self.answers: list[Answer] = []
        self.shown: list[Answer] = []
        self.question_numbers: dict[str, int] = {}
        self._folded: dict[int, str] = {}  # document -> text casefolded, for the filter
        self.learner = Learner(self, project, coder, self._forget_suggestions, idle=LEARN_IDLE)
        self.suggested: dict[int, list[Suggestion]] = {}  # document -> its proposed codes
        self._suggest_timer: Timer | None = None
        self._seeking = False  # a thread seeks an answer's suggestions
        self._uncoded = 0  # of the shown answers: kept as rows change, not counted per key
        self._done = 0
        self._status_lines: int | None = None  # lines the status took when last shown
        self._in_dialog = False  # a dialog of the grid's own is open (picker, memo)
        self._filtered: dict[tuple[str, int], list[Answer]] = {}  # (filter, sort) -> shown

    # -- layout and loading -------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder=TEXT["filter"], id="answer-filter", compact=True)
        yield AnswerGrid(id="answers")
        status = Static(id="answer-status")
        status.styles.min_height = STATUS_LINES  # inline: no stylesheet to parse per screen
        yield status
        yield SteadyFooter()

    def on_mount(self) -> None:
        shared = getattr(self.app, "recent_codes", None)
        if isinstance(shared, list):  # the recent codes are the same on every screen
            self.keys.recent = shared
        grid = self.query_one(AnswerGrid)
        from tui.screens.coding import code_style

        grid.attribution = self._attribution
        grid.tag_style = code_style
        self.reload()
        first = next((i for i, a in enumerate(self.shown) if not a.codes), 0)
        grid.move_cursor(first)
        grid.focus()
        self._show_status(opening=True)
        self.learner.start()

    def reload(self) -> None:
        """Read every answer again (after undo, redo, blind view, coming back)."""
        current = self.current
        self.answers = list_answers(self.project, self.coder, self.question, self.blind)
        self.suggested.clear()  # codings may have changed (undo, redo, another screen)
        self._rows_changed()
        numbers = questions(list_answers(self.project, self.coder)) if self.question else None
        self.question_numbers = {q: i + 1 for i, q in enumerate(numbers or questions(self.answers))}
        self.answers = sort_answers(self.answers, SORTS[0], self.question_numbers)
        self._apply_filter(keep=current.document_id if current else None)
        if not self.answers:
            self.notify(TEXT["no_answers"], severity="warning")

    def _attribution(self, answer: Answer) -> list[str]:
        attrs = answer.attributes
        first = f"Q{self.question_numbers.get(answer.question, '?')}"
        if "size_class" in attrs:
            first += f" {attrs['size_class']}"
        lines = [first]
        if "region" in attrs:
            lines.append(attrs["region"])
        if len(lines) == 1:
            lines.append(answer.case)
        return lines

    @property
    def current(self) -> Answer | None:
        grid = self.query_one(AnswerGrid)
        return self.shown[grid.cursor] if self.shown and grid.cursor < len(self.shown) else None

    # -- filter and sort ----------------------------------------------------------------------
    def _apply_filter(self, keep: int | None = None) -> None:
        grid = self.query_one(AnswerGrid)
        shown = self._filtered.get((self.filter_text, self.sort))  # a backspace: seen before
        if shown is None:
            shown = self._filter()
            if len(self._filtered) >= FILTERS_KEPT:
                self._filtered.clear()
            self._filtered[(self.filter_text, self.sort)] = shown
        self.shown = shown
        self._uncoded = sum(1 for a in shown if not a.codes)
        self._done = sum(1 for a in shown if a.done)
        cursor = 0
        if keep is not None:
            cursor = next((i for i, a in enumerate(shown) if a.document_id == keep), 0)
        grid.set_rows(shown, cursor)
        self._show_status()

    def _filter(self) -> list[Answer]:
        """The answers the filter keeps, sorted. Typing on narrows what the text before it
        kept (already sorted) rather than all the answers."""
        shorter = narrowed_from(self.filter_text)
        before = None if shorter is None else self._filtered.get((shorter, self.sort))
        if before is not None:
            tests = parse_filter(self.filter_text, self.question_numbers, self._folded)
            return [a for a in before if all(test(a) for test in tests)]
        shown = self.answers
        for test in parse_filter(self.filter_text, self.question_numbers, self._folded):
            shown = [a for a in shown if test(a)]  # each term narrows what the next one tests
        if self.sort:  # the answers are read in question order already
            shown = sort_answers(shown, SORTS[self.sort], self.question_numbers)
        return shown

    def _rows_changed(self) -> None:
        """An answer's codes or done mark changed: what each filter keeps may have too."""
        self._filtered.clear()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "answer-filter":
            self.filter_text = event.value
            current = self.current
            self._apply_filter(keep=current.document_id if current else None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.query_one(AnswerGrid).focus()

    def action_focus_filter(self) -> None:
        self.query_one("#answer-filter", Input).focus()

    def action_sort(self) -> None:
        self.sort = (self.sort + 1) % len(SORTS)
        current = self.current
        self._apply_filter(keep=current.document_id if current else None)

    # -- status -------------------------------------------------------------------------------
    def _show_status(self, opening: bool = False) -> None:
        """The counts and the waiting keys under the grid; ``opening``: from ``on_mount``
        (before it, reloads have no status to write yet)."""
        if not (self.is_mounted or opening):
            return
        self.learner.touch()  # called after every key: training waits until the keys rest
        grid = self.query_one(AnswerGrid)
        line = Text(
            TEXT["status"].format(
                at=grid.cursor + 1 if self.shown else 0,
                shown=len(self.shown),
                uncoded=self._uncoded,
                done=self._done,
                sort=TEXT[f"sort_{SORTS[self.sort]}"],
                who=TEXT["who_blind" if self.blind else "who_all"],
            )
        )
        if grid.held:
            line.append(TEXT["hold_status"], style="bold reverse")
        pending = self.keys.pending
        second = Text()
        if pending:
            second.append(f"{pending}…", style="bold reverse")
            own = self.keys.keymap.codes.get(pending)
            if own is not None:
                second.append(f" 0 {self.code_by_id[own].name}")
            for n in range(1, 10):
                code_id = self.keys.keymap.codes.get(f"{pending}{n}")
                if code_id is not None:
                    second.append(f" · {n} {self.code_by_id[code_id].name}")
        elif self.here():
            self._set_status(Text("\n").join([line, *self._suggestion_lines()]))
            return
        else:
            second.append(TEXT["recent_label"], style="dim")
            for n, code_id in enumerate(self.keys.recent, start=1):
                code = self.code_by_id.get(code_id)
                if code is not None:
                    second.append(f" alt+{n} {code.name}")
            if not self.keys.recent:
                second.append(TEXT["none_yet"], style="dim")
        self._set_status(Text("\n").join([line, second]))
        self._want_suggestions()

    def _set_status(self, text: Text) -> None:
        """Show the status. The screen is laid out again only when the status's height changes:
        it keeps room for three lines (two, a waiting digit's sub-codes or the suggestions take
        three), so a key does not pay for a layout of the whole screen."""
        status = self.query_one("#answer-status", Static)
        status.update(text, layout=False)
        width = status.content_region.width
        height = status.get_content_height(status.size, self.size, width) if width else None
        if height is not None:
            height = max(height, STATUS_LINES)
        if height is None or height != self._status_lines:
            status.refresh(layout=True)
        self._status_lines = height

    # -- suggestions ----------------------------------------------------------------------------
    def here(self) -> list[Suggestion]:
        """The proposed codes of the highlighted answer, as far as they are known yet."""
        answer = self.current
        return self.suggested.get(answer.document_id, []) if answer is not None else []

    def _suggestion_lines(self) -> list[Text]:
        """The proposals with the key that accepts each, then how they have done so far."""
        line = Text(TEXT["suggested"], style="bold")
        for n, s in enumerate(self.here()[:5], start=1):
            line.append(" · " if n > 1 else " ")
            line.append("a" if n == 1 else f"alt+{n}", style="bold")
            if s.learned:
                label = TEXT["learned"].format(name=s.code_name, confidence=s.confidence)
            else:
                label = TEXT["keyword"].format(name=s.code_name, matched=s.matched)
            line.append(f" {label}")
        line.append(f" · {TEXT['reject']}", style="dim")
        so_far = self.learner.so_far(TEXT["so_far"])
        if self.learner.model is None:
            so_far = TEXT["learning"]
        return [line, Text(so_far, style="dim")] if so_far else [line]

    def _want_suggestions(self) -> None:
        """Seek the highlighted answer's suggestions once the cursor has rested there."""
        answer = self.current
        if answer is None or answer.document_id in self.suggested:
            return
        if self._suggest_timer is not None:
            self._suggest_timer.stop()
        self._suggest_timer = self.set_timer(SUGGEST_DELAY, self._seek_suggestions)

    def _seek_suggestions(self) -> None:
        answer = self.current
        if answer is None or answer.document_id in self.suggested or not self.is_current:
            return  # under a dialog: sought again when the grid is back
        if self._seeking:
            return  # one thread at a time (a thread cannot be cancelled): sought after it
        self._seeking = True
        seek = partial(self._suggest, answer.document_id, answer.text, (answer.start, answer.end))
        self.run_worker(seek, thread=True, group="grid-suggest", exit_on_error=False)

    def _suggest(self, document_id: int, text: str, span: tuple[int, int]) -> None:
        model, found = self.learner.model, []
        try:
            with self.project.reading() as project:  # one connection per thread
                found = answer_suggestions(project, document_id, text, span, self.coder, model)
        except Exception:
            pass  # no suggestions this time; they must never take the grid down
        self.app.call_from_thread(self._found, document_id, found, model)

    def _found(self, document_id: int, found: list[Suggestion], model: learn.Model | None) -> None:
        self._seeking = False
        if model is not self.learner.model:  # retrained while this was sought: seek again
            self._want_suggestions()
            return
        self.suggested[document_id] = found
        answer = self.current
        if answer is not None and answer.document_id == document_id:
            self._show_status()
        else:  # the cursor moved on meanwhile
            self._want_suggestions()

    def _forget_suggestions(self) -> None:
        """Retrained: every answer's suggestions are sought again."""
        self.suggested.clear()
        self._show_status()

    def action_alt_digit(self, n: int) -> None:
        """alt+digit: while suggestions are shown, accept the n-th; otherwise a recent code."""
        if self.here() and not self.keys.pending:
            self.accept_suggestion(n)
        else:
            self.action_recent(n)

    def action_accept_suggestion(self) -> None:
        self.accept_suggestion(1)

    def accept_suggestion(self, n: int) -> None:
        """Code the whole answer with the n-th proposed code and move on as a digit does; a
        learned one is journalled as accepted from a suggestion."""
        self.keys.cancel()
        answer, here = self.current, self.here()
        if answer is None or not here:
            self.notify(TEXT["no_suggestions"], timeout=2)
            return
        if n > len(here):
            self.notify(TEXT["no_suggestion"].format(n=n), timeout=2)
            return
        chosen = here[n - 1]
        if not chosen.learned:
            self.apply_code(chosen.code_id)
            return
        chosen_here = self._domain(answer, chosen)
        if (
            self.call_domain(learn.accept_suggestion, self.project, self.coder, chosen_here)
            is REFUSED
        ):
            return
        self.keys.used(chosen.code_id)
        self._coded(answer)
        self.notify(TEXT["accepted"].format(name=chosen.code_name), timeout=2)

    def action_reject_suggestion(self) -> None:
        """Reject the first proposed code: kept as a negative example, not proposed again here."""
        self.keys.cancel()
        answer, here = self.current, self.here()
        if answer is None or not here:
            self.notify(TEXT["no_suggestions"], timeout=2)
            return
        first = self._domain(answer, here[0])
        if self.call_domain(learn.reject_suggestion, self.project, self.coder, first) is REFUSED:
            return
        rejected = here.pop(0)
        self.learner.count()
        self._show_status()
        self.notify(TEXT["rejected"].format(name=rejected.code_name), timeout=2)

    @staticmethod
    def _domain(answer: Answer, s: Suggestion) -> learn.Suggestion:
        return learn.Suggestion(
            answer.document_id,
            answer.start,
            answer.end,
            s.code_id,
            s.code_name,
            s.confidence or 0.0,
        )

    # -- movement -----------------------------------------------------------------------------
    def action_move(self, step: int) -> None:
        self.keys.cancel()
        grid = self.query_one(AnswerGrid)
        grid.move_cursor(grid.cursor + step)
        self._show_status()

    def action_page(self, direction: int) -> None:
        grid = self.query_one(AnswerGrid)
        grid.move_cursor(grid.page_rows(direction))
        self._show_status()

    def action_next_uncoded(self) -> None:
        grid = self.query_one(AnswerGrid)
        for index in range(grid.cursor + 1, len(self.shown)):
            if not self.shown[index].codes:
                grid.move_cursor(index)
                break
        else:
            self.notify(TEXT["no_uncoded"], timeout=2)
        self._show_status()

    def _moved_on(self) -> None:
        """After a code: the next uncoded answer, unless the row is held."""
        if not self.query_one(AnswerGrid).held:
            self.action_next_uncoded()

    # -- coding -------------------------------------------------------------------------------
    def action_digit(self, digit: str) -> None:
        result = self.keys.press(digit)
        if isinstance(result, str):  # the first key of two
            self._show_status()
            return
        if result is None:
            self.notify(TEXT["no_key"].format(key=digit), timeout=2)
            self._show_status()
            return
        self.apply_code(result)

    def action_enter(self) -> None:
        if self.keys.pending:
            code_id = self.keys.confirm()
            if code_id is not None:
                self.apply_code(code_id)
            return
        answer = self.current
        if answer is not None:
            self.post_message(OpenDocument(answer.document_id, 0))

    def action_repeat(self) -> None:
        code_id = self.keys.recent_code(0)
        if code_id is None:
            self.notify(TEXT["no_recent"].format(n=1), timeout=2)
            return
        self.apply_code(code_id)

    def action_recent(self, n: int) -> None:
        code_id = self.keys.recent_code(n - 1)
        if code_id is None:
            self.notify(TEXT["no_recent"].format(n=n), timeout=2)
            return
        self.apply_code(code_id)

    def apply_code(self, code_id: int | None) -> None:
        answer = self._on_answer(ops.apply_coding, code_id)
        if answer is None or code_id is None:
            return
        self.keys.used(code_id)
        self._coded(answer)

    def _on_answer(self, operation: Callable[..., object], code_id: int | None) -> Answer | None:
        """``operation`` (apply or remove) with ``code_id`` on the whole current answer: the
        answer, or None when there is none or the domain refused."""
        answer = self.current
        if code_id is None or answer is None:
            return None
        span = (answer.document_id, code_id, self.coder, answer.start, answer.end)
        done = self.call_domain(operation, self.project, *span)
        return None if done is REFUSED else answer

    def _coded(self, answer: Answer) -> None:
        """After a coding of ``answer``: its row re-read, suggestions sought again, move on."""
        self.suggested.pop(answer.document_id, None)
        self.learner.count()
        self._reread(answer)
        self._moved_on()
        self._show_status()

    def _reread(self, answer: Answer) -> None:
        was_uncoded = not answer.codes
        answer.codes = answer_codes(self.project, answer, self.coder if self.blind else None)
        self._uncoded += (not answer.codes) - was_uncoded
        self._rows_changed()
        grid = self.query_one(AnswerGrid)
        grid.row_changed(grid.cursor)

    def action_hold(self) -> None:
        grid = self.query_one(AnswerGrid)
        if self.keys.pending:
            code_id = self.keys.confirm()
            if code_id is not None:
                self.apply_code(code_id)
            return
        grid.held = not grid.held
        grid.row_changed(grid.cursor)
        if not grid.held:  # held: the status line says HOLD
            self.action_next_uncoded()
        self._show_status()

    def action_pick(self) -> None:
        from tui.screens.picker import PickerScreen

        pending = self.keys.pending  # «1 c»: a new code goes under code 1
        self.keys.cancel()
        parent = self.keys.keymap.codes.get(pending) if pending else None
        picker = PickerScreen(
            self.codes, TEXT["apply_code"], create=self._create_code, parent_id=parent
        )
        self._open_dialog(picker, self.apply_code)

    def _create_code(self, name: str, parent_id: int | None) -> int | None:
        from coding.codes import create_code

        try:
            code_id = create_code(self.project, name, parent_id=parent_id, coder=self.coder)
        except KodeverkError as exc:
            self.refused(exc)
            return None
        self.codes = list_codes(self.project)
        self.code_by_id = {c.id: c for c in self.codes}
        self.keys.keymap = build_keymap(self.codes)
        return code_id

    def action_remove(self) -> None:
        answer = self.current
        if answer is None:
            return
        own = answer_codes(self.project, answer, self.coder)
        if not own:
            self.notify(TEXT["none_of_yours"], timeout=2)
        elif len(own) == 1:
            self.remove_code(own[0].id)
        else:
            from tui.screens.picker import PickerScreen

            ids = {c.id for c in own}
            choices = [c for c in self.codes if c.id in ids]
            self._open_dialog(PickerScreen(choices, TEXT["remove_code"]), self.remove_code)

    def remove_code(self, code_id: int | None) -> None:
        answer = self._on_answer(ops.remove_code, code_id)
        if answer is None or code_id is None:
            return
        self.suggested.pop(answer.document_id, None)  # the removed code may be proposed again
        self._reread(answer)
        self._show_status()
        self.notify(TEXT["removed"].format(name=self.code_by_id[code_id].name), timeout=2)

    def action_undo(self) -> None:
        self._replay(ops.undo, "undone", "nothing_undo")

    def action_redo(self) -> None:
        self._replay(ops.redo, "redone", "nothing_redo")

    def _replay(
        self,
        operation: Callable[[Project, str], Event | None],
        done_key: str,
        nothing_key: str,
    ) -> None:
        try:
            event = operation(self.project, self.coder)
        except KodeverkError as exc:
            self.refused(exc)
            return
        if event is None:
            self.notify(TEXT[nothing_key], timeout=2)
            return
        self.reload()
        self.notify(TEXT[done_key].format(what=event.summary), timeout=2)

    def action_toggle_done(self) -> None:
        answer = self.current
        if answer is None:
            return
        try:
            ops.set_document_done(self.project, answer.document_id, self.coder, not answer.done)
        except KodeverkError as exc:
            self.refused(exc)
            return
        was_done = answer.done
        answer.done = ops.is_document_done(self.project, answer.document_id, self.coder)
        self._done += answer.done - was_done
        self._rows_changed()
        grid = self.query_one(AnswerGrid)
        grid.row_changed(grid.cursor)
        self._show_status()

    def action_memo(self) -> None:
        from tui.screens.memo import MemoScreen

        answer = self.current
        if answer is None:
            return
        target = answer.document_id
        text = ops.get_memo(self.project, self.coder, "document", target)

        def save(new_text: str | None) -> None:
            if new_text is None:
                return
            try:
                ops.set_memo(self.project, self.coder, "document", target, new_text)
            except KodeverkError as exc:
                self.refused(exc)
                return
            self.notify(TEXT["memo_saved" if new_text.strip() else "memo_deleted"], timeout=2)

        title = TEXT["memo_title"].format(case=" ".join(self._attribution(answer)))
        self._open_dialog(MemoScreen(title, text), save)

    def action_toggle_blind(self) -> None:
        # as on the coding screen: where the app knows roles, only a lead opens all codings
        if self.blind and hasattr(self.app, "allowed") and not self.app.allowed("all_coders"):
            return
        self.blind = not self.blind
        self.reload()
        self.notify(TEXT["blind" if self.blind else "all"], timeout=2)

    def _open_dialog(self, dialog: Screen, done: Callable) -> None:
        """A dialog of the grid's own (picker, memo): what it does goes through ``done``, which
        re-reads the row concerned, so nothing is read again when it closes."""
        self._in_dialog = True
        self.app.push_screen(dialog, done)

    def on_screen_suspend(self) -> None:
        self._away = not self._in_dialog  # another screen: read everything again after
        self._in_dialog = False
        self.learner.away(True)

    def on_screen_resume(self) -> None:
        self._in_dialog = False
        self.learner.away(False)
        if getattr(self, "_away", False):  # back from another screen: codes may have changed
            self._away = False
            self.reload()

    def action_back(self) -> None:
        if step_back(self, self.keys, self.query_one(AnswerGrid), self._show_status):
            return
        from tui.screens.overview import OverviewScreen

        below = self.app.screen_stack[-2] if len(self.app.screen_stack) > 1 else None
        if isinstance(below, Screen) and below.__class__ is not Screen:
            self.dismiss()
        else:  # opened straight from the command line: the overview takes its place
            self.app.switch_screen(OverviewScreen(self.project, self.coder))

    def palette_commands(self) -> list[tuple[str, str, object]]:
        return palette_entries(self, TEXT, PALETTE)


def parse_filter(
    text: str, numbers: dict[str, int], folded: dict[int, str] | None = None
) -> list[Callable[[Answer], bool]]:
    """Tests over answers from terms: ``q:2`` (question number or words of it),
    ``name:value`` (a case attribute, by its start), ``case:name``, ``uncoded``, ``coded``,
    ``done``, ``code:Bolig``, and free words that must all occur in the answer. ``folded``
    keeps each answer's text casefolded (by document) between calls."""
    folded = {} if folded is None else folded
    tests: list[Callable[[Answer], bool]] = []
    for term in text.split():
        key, _, value = term.partition(":")
        key, value = key.casefold(), value.casefold()
        if value and key in ("q", "question"):
            asked = {q for q, n in numbers.items() if _question_matches(q, n, value)}
            tests.append(partial(_asked, asked))
        elif value and key == "code":
            tests.append(partial(_has_code, value))
        elif value:
            tests.append(partial(_attribute_matches, key=key, value=value))
        elif key in ("uncoded", "ukodet"):
            tests.append(lambda a: not a.codes)
        elif key in ("coded", "kodet"):
            tests.append(lambda a: bool(a.codes))
        elif key in ("done", "ferdig"):
            tests.append(lambda a: a.done)
        elif key:
            tests.append(partial(_has_word, key, folded))
    return tests


def narrowed_from(text: str) -> str | None:
    """A filter text keeping every answer ``text`` keeps: ``text`` without its last character
    when that only adds to it (a space, a new term, one more letter of a free word), so its
    answers need only be narrowed. None otherwise (``q:1`` to ``q:12``, ``code`` to the
    keyword ``coded``)."""
    if not text:
        return None
    before = text[:-1]
    if text[-1].isspace() or not before or before[-1].isspace():
        return before  # the same terms, or one term more
    if _free_word(text.split()[-1]) and _free_word(before.split()[-1]):
        return before  # a word that occurs contains the shorter word
    return None


def _free_word(term: str) -> bool:
    return ":" not in term and term.casefold() not in KEYWORDS


KEYWORDS = {"uncoded", "ukodet", "coded", "kodet", "done", "ferdig"}


def _asked(asked: set[str], answer: Answer) -> bool:
    return answer.question in asked


def _has_code(value: str, answer: Answer) -> bool:
    return any(value in c.name.casefold() for c in answer.codes)


def _has_word(word: str, folded: dict[int, str], answer: Answer) -> bool:
    return word in (folded.get(answer.document_id) or _fold(answer, folded))


def _fold(answer: Answer, folded: dict[int, str]) -> str:
    text = folded[answer.document_id] = answer.text.casefold()
    return text


def _question_matches(question: str, number: int, value: str) -> bool:
    if value.isdigit():
        return number == int(value)
    return value in question.casefold()


def _attribute_matches(answer: Answer, key: str, value: str) -> bool:
    for name, actual in answer.attributes.items():
        if name.casefold() == key:
            return actual.casefold().startswith(value)
    return key == "case" and value in answer.case.casefold()


def sort_answers(answers: list[Answer], how: str, numbers: dict[str, int]) -> list[Answer]:
    if how == "length":
        return sorted(answers, key=lambda a: len(a.text))
    if how == "attribution":
        return sorted(
            answers,
            key=lambda a: (a.attributes.get("size_class", ""), a.attributes.get("region", "")),
        )
    if how == "code":
        return sorted(answers, key=lambda a: (not a.codes, [c.name for c in a.codes]))
    return sorted(answers, key=lambda a: (numbers.get(a.question, 0), a.document_id))
