"""What Textual keeps of a removed screen, let go (issue 13). Measured with the memory
benchmark: each round over every screen left ~150 widgets' styles caches (their rendered lines,
~8 800 small caches) and three Headers alive, until these were dropped:

- ``StylesCache.get_inner_outer`` is an ``lru_cache`` on a method, so it keys on the styles
  cache of every widget it renders (1 024 of them) and keeps their rendered lines; it is two
  colours to a Style, cheap to make again.
- A widget watching an app reactive (Header watches the app's title) stays in the app's
  watchers until that reactive next changes; the app's title never does.

The footer's own leak of its keys is in tui/widgets/footer.py."""

from __future__ import annotations

import logging
import sys

from textual._styles_cache import StylesCache
from textual.app import App
from textual.screen import Screen


def forget_removed_widgets(app: App) -> None:
    """Drop what points at widgets no longer in the app (called at every change of screen)."""
    StylesCache.get_inner_outer.cache_clear()
    for watchers in getattr(app, "__watchers", {}).values():
        watchers[:] = [(node, callback) for node, callback in watchers if node.is_attached]


def forget_on_screen_change(app: App) -> None:
    def changed(_screen: Screen) -> None:
        forget_removed_widgets(app)

    app.screen_change_signal.subscribe(app, changed)


# glibc's mallopt parameter (malloc.h): a fixed threshold also turns its dynamic raising off.
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 128 * 1024  # glibc's starting value


def steady_mmap_threshold() -> bool:
    """Keep glibc from raising its mmap threshold (it does so each time a large block is freed,
    up to 32 MB). Raised, the review's and prevalence's large arrays and SQLite reads of the
    second visit come from the heap instead of their own mappings and stay held when freed: the
    resident size stepped up ~10 MB after the first round over every screen with the memory in
    use flat (issue 13). False where the C library is not glibc."""
    import ctypes

    try:
        mallopt = ctypes.CDLL(None).mallopt  # the process's own symbols: libc's on Linux
    except (OSError, AttributeError):
        return False
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD))


def release_captured_stderr() -> None:
    """charset-normalizer keeps a logging handler on the stderr of the moment it is first
    imported (scikit-learn's import chain brings it in, in the learner's worker): while an app
    runs that is Textual's print capture, which then held the closed app (its screens, the
    project) alive. Pointed back at the process's own stderr."""
    module = sys.modules.get("charset_normalizer.api")
    handler = getattr(module, "explain_handler", None)
    if isinstance(handler, logging.StreamHandler) and sys.__stderr__ is not None:
        handler.setStream(sys.__stderr__)
