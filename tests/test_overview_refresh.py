"""The overview repaints what a key changes and no more (issue 14): the cursor repaints the
row it leaves and the row it enters, typing in the filter lays out nothing, and ``/`` and
``escape`` keep the footer's key widgets (hidden and shown, not composed again). What the
screen shows stays as it was."""

from __future__ import annotations

from pathlib import Path

from textual.widgets._footer import FooterKey

from coding.cases import ensure_case, set_attributes
from coding.documents import Segment, add_document
from coding.store import Project
from tests.app_project import CODER
from tui.app import KodeverkApp
from tui.widgets.document_table import DocumentTable
from tui.widgets.steady_footer import SteadyFooter

SIZE = (100, 30)


def build_many(path: Path, documents: int = 60) -> Path:
    """``documents`` answers, three per case: more rows than the list has room for."""
    with Project.create(path, name="mange") as project:
        for n in range(documents):
            case = ensure_case(project, f"Kommune {n // 3:02d}")
            set_attributes(project, case, {"size_class": "liten" if n < 9 else "stor"})
            text = f"Svar nummer {n}.\n"
            segments = [Segment(0, len(text) - 1, "answer", 0, None)]
            add_document(project, f"svar-{n:02d}", text, "survey", segments, case_id=case)
    return path


async def opened(pilot) -> DocumentTable:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()
    return pilot.app.screen.query_one(DocumentTable)


def drawn_rows(table: DocumentTable, monkeypatch) -> list[int]:
    """The lines ``table`` draws from now on."""
    drawn: list[int] = []
    render_line = DocumentTable.render_line

    def spy(self, y: int):
        drawn.append(y)
        return render_line(self, y)

    monkeypatch.setattr(DocumentTable, "render_line", spy)
    return drawn


def screen_text(app: KodeverkApp) -> str:
    return app.export_screenshot()


def layouts(app: KodeverkApp, monkeypatch) -> list[int]:
    """One entry per layout of the current screen from now on."""
    screen = app.screen
    counted: list[int] = []
    refresh_layout = screen._refresh_layout

    def spy(*args, **kwargs):
        counted.append(1)
        return refresh_layout(*args, **kwargs)

    monkeypatch.setattr(screen, "_refresh_layout", spy)
    return counted


async def test_the_cursor_repaints_only_the_rows_it_leaves_and_enters(tmp_path, monkeypatch):
    app = KodeverkApp(build_many(tmp_path / "p.kodeverk"), CODER, resume=False)
    async with app.run_test(size=SIZE) as pilot:
        table = await opened(pilot)
        drawn = drawn_rows(table, monkeypatch)
        await pilot.press("down")
        await pilot.pause()
        assert sorted(set(drawn)) == [1, 2]  # rows 0 and 1, below the header line
        assert table.cursor_row == 1 and table.cursor_key == table.keys[1]
        cursor = table.rich_style + table.get_component_rich_style("document-table--cursor")
        assert {s.style for s in table.render_line(2)} == {cursor}
        assert cursor not in {s.style for s in table.render_line(1)}
        await pilot.press("enter")  # the row under the cursor is the one opened
        await pilot.pause()
        assert app.screen.document_id == table.keys[1]


async def test_the_cursor_scrolls_the_list_past_its_last_visible_row(tmp_path):
    app = KodeverkApp(build_many(tmp_path / "p.kodeverk"), CODER, resume=False)
    async with app.run_test(size=SIZE) as pilot:
        table = await opened(pilot)
        visible = table.scrollable_content_region.height - 1
        for _ in range(visible + 2):
            await pilot.press("down")
        await pilot.pause()
        assert table.cursor_row == visible + 2 and table.scroll_offset.y == 3
        assert f"svar-{visible + 2:02d}" in screen_text(app)
        assert "svar-00" not in screen_text(app)


async def test_typing_in_the_filter_lays_out_nothing_and_narrows_the_list(tmp_path, monkeypatch):
    app = KodeverkApp(build_many(tmp_path / "p.kodeverk"), CODER, resume=False)
    async with app.run_test(size=SIZE) as pilot:
        table = await opened(pilot)
        assert table.show_vertical_scrollbar  # 60 rows: more than there is room for
        await pilot.press("slash", "s", "t", "o")
        await pilot.pause()
        counted = layouts(app, monkeypatch)
        await pilot.press("r", "backspace", "r")  # «stor»: 51 rows, still a scroll bar
        await pilot.pause()
        assert counted == []
        assert table.row_count == 51 and table.show_vertical_scrollbar
        assert app.screen.query_one("#filter").value == "stor"
        text = screen_text(app)
        assert "svar-09" in text and "svar-08" not in text
        assert "51" in str(app.screen.query_one("#summary").render())


async def test_the_scroll_bar_goes_and_comes_back_with_the_rows(tmp_path):
    app = KodeverkApp(build_many(tmp_path / "p.kodeverk"), CODER, resume=False)
    async with app.run_test(size=SIZE) as pilot:
        table = await opened(pilot)
        await pilot.press("slash", *"liten")
        await pilot.pause()
        assert table.row_count == 9 and not table.show_vertical_scrollbar
        assert "svar-08" in screen_text(app) and "svar-09" not in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert table.row_count == 60 and table.show_vertical_scrollbar
        assert "svar-09" in screen_text(app) and table.has_focus


async def test_the_footer_keeps_its_keys_across_the_filter(tmp_path):
    app = KodeverkApp(build_many(tmp_path / "p.kodeverk"), CODER, resume=False)
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot)
        footer = app.screen.query_one(SteadyFooter)
        await pilot.press("slash")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        widgets = list(footer.query(FooterKey))
        shown = [k.action for k in widgets if k.display]
        text = screen_text(app)
        for _ in range(2):
            await pilot.press("slash")
            await pilot.pause()
            assert "answers" not in [k.action for k in footer.query(FooterKey) if k.display]
            await pilot.press("escape")
            await pilot.pause()
        assert list(footer.query(FooterKey)) == widgets  # the same widgets, none composed
        assert [k.action for k in widgets if k.display] == shown
        assert screen_text(app) == text


async def test_a_letter_that_keeps_the_rows_repaints_no_row(tmp_path, monkeypatch):
    app = KodeverkApp(build_many(tmp_path / "p.kodeverk"), CODER, resume=False)
    async with app.run_test(size=SIZE) as pilot:
        table = await opened(pilot)
        await pilot.press("slash", "s")  # every row holds an «s» (svar-NN)
        await pilot.pause()
        drawn = drawn_rows(table, monkeypatch)
        await pilot.press("v", "a", "r")
        await pilot.pause()
        assert drawn == [] and table.row_count == 60
        await pilot.press("-", "0", "5")  # narrower: svar-05 alone
        await pilot.pause()
        assert drawn and table.row_count == 1 and "svar-05" in screen_text(app)
        await pilot.press("backspace", "backspace")  # «svar-» again: all of them
        await pilot.pause()
        assert table.row_count == 60 and "60" in str(app.screen.query_one("#summary").render())


async def test_the_size_class_key_cycles_through_the_classes_present(tmp_path):
    app = KodeverkApp(build_many(tmp_path / "p.kodeverk"), CODER, resume=False)
    async with app.run_test(size=SIZE) as pilot:
        table = await opened(pilot)
        counts = []
        for _ in range(3):
            await pilot.press("s")
            await pilot.pause()
            counts.append((app.screen.query_one("#filter").value, table.row_count))
        assert counts == [("liten", 9), ("stor", 51), ("", 60)]


async def test_the_scroll_bar_is_styled_before_the_first_change_of_focus(tmp_path):
    """Textual styled the list's new scroll bar on the first ``/`` only, and that laid out
    the screen; it looks the same before and after."""
    app = KodeverkApp(build_many(tmp_path / "p.kodeverk"), CODER, resume=False)
    async with app.run_test(size=SIZE) as pilot:
        table = await opened(pilot)
        await pilot.pause()
        before = dict(table.vertical_scrollbar.styles.get_rules())
        assert "scrollbar_color" in before
        await pilot.press("slash")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert dict(table.vertical_scrollbar.styles.get_rules()) == before


def frames(app: KodeverkApp, monkeypatch) -> list[str]:
    """One entry per update the app sends to the terminal from now on: its kind (a partial
    update of the regions that changed, or the whole screen)."""
    sent: list[str] = []
    display = app._display

    def spy(screen, renderable):
        if renderable is not None:
            sent.append(type(renderable).__name__)
        return display(screen, renderable)

    monkeypatch.setattr(app, "_display", spy)
    return sent


async def test_the_size_class_key_paints_the_filter_and_the_list_in_one_frame(
    tmp_path, monkeypatch
):
    """The filter's new text and the rows it picks arrive in the same update (they came in
    two, the list one frame after its filter line). A scroll bar that comes back is painted
    again after the layout that shows it (Textual's), so «stor» may take two."""
    app = KodeverkApp(build_many(tmp_path / "p.kodeverk"), CODER, resume=False)
    async with app.run_test(size=SIZE) as pilot:
        table = await opened(pilot)
        sent = frames(app, monkeypatch)
        for value, rows in [("liten", 9), ("stor", 51), ("", 60)]:
            sent.clear()
            await pilot.press("s")
            await pilot.pause()
            if value != "stor":
                assert sent == ["ChopsUpdate"], value
            assert app.screen.query_one("#filter").value == value
            assert table.row_count == rows and table.has_focus
            assert f"{rows} " in str(app.screen.query_one("#summary").render())


async def test_a_letter_that_narrows_the_list_paints_one_frame(tmp_path, monkeypatch):
    app = KodeverkApp(build_many(tmp_path / "p.kodeverk"), CODER, resume=False)
    async with app.run_test(size=SIZE) as pilot:
        table = await opened(pilot)
        await pilot.press("slash", *"svar-0")
        await pilot.pause()
        sent = frames(app, monkeypatch)
        await pilot.press("5")
        await pilot.pause()
        assert sent == ["ChopsUpdate"]
        assert table.row_count == 1 and "svar-05" in screen_text(app)
        sent.clear()
        await pilot.press("backspace")
        await pilot.pause()
        assert sent == ["ChopsUpdate"] and table.row_count == 10


async def test_slash_and_escape_lay_out_the_footer_once_in_one_frame(tmp_path, monkeypatch):
    """A change of focus between the list and its filter: the two widgets restyled, the
    footer's keys shown and hidden, one layout and one partial update (the screen was
    repainted whole, laid out a second time for the footer's new width, and the list's
    scroll bar repainted in a frame of its own). The focus ends where it did."""
    app = KodeverkApp(build_many(tmp_path / "p.kodeverk"), CODER, resume=False)
    async with app.run_test(size=SIZE) as pilot:
        table = await opened(pilot)
        text = screen_text(app)
        counted = layouts(app, monkeypatch)
        sent = frames(app, monkeypatch)
        for _ in range(2):  # the first time shows keys never laid out before
            for key, focused in (("slash", "filter"), ("escape", "documents")):
                counted.clear()
                sent.clear()
                await pilot.press(key)
                await pilot.pause()
                assert (len(counted), sent) == (1, ["ChopsUpdate"]), key
                assert app.focused is not None and app.focused.id == focused
            assert screen_text(app) == text and table.row_count == 60


async def test_a_change_of_focus_repaints_the_cursor_row_of_the_list_alone(tmp_path, monkeypatch):
    """The focus changes the look of the cursor's row only: the other rows are not drawn
    again (Textual repainted them all, twice)."""
    app = KodeverkApp(build_many(tmp_path / "p.kodeverk"), CODER, resume=False)
    async with app.run_test(size=SIZE) as pilot:
        table = await opened(pilot)
        await pilot.press("down")
        await pilot.pause()
        drawn = drawn_rows(table, monkeypatch)
        for key, focused in (("slash", False), ("escape", True)):
            drawn.clear()
            await pilot.press(key)
            await pilot.pause()
            assert set(drawn) == {2}, key  # row 1, below the header line
            cursor = table.get_component_rich_style("document-table--cursor")
            assert table.has_focus is focused
            assert {s.style for s in table.render_line(2)} == {table.rich_style + cursor}


async def test_escape_after_a_filter_shows_the_list_as_it_was(tmp_path):
    """escape clears the filter and gives the list back the focus: rows, scroll bar and the
    cursor's row painted as before the filter (the restyle of the focus leaves the scroll
    bar's repaint for its new length in place)."""
    app = KodeverkApp(build_many(tmp_path / "p.kodeverk"), CODER, resume=False)
    async with app.run_test(size=SIZE) as pilot:
        table = await opened(pilot)
        text = screen_text(app)
        await pilot.press("slash", *"stor")
        await pilot.pause()
        assert table.row_count == 51 and table.show_vertical_scrollbar
        assert screen_text(app) != text
        await pilot.press("escape")
        await pilot.pause()
        assert table.row_count == 60 and table.has_focus
        assert screen_text(app) == text
