"""The local error log, shared by both edges: technical detail for the IT contact, no personal data.

It records the exception type and the file/line/function of each stack frame of a failure, never
exception messages, cell contents or local variables, which could hold personnummer or names. It lives
in the user's own profile, never beside the (shared) workbook.
"""

from __future__ import annotations

import logging
import sys
import traceback
from pathlib import Path

LOG_FILE_NAME = "fel.log"
LOG_MAX_BYTES = 256 * 1024
LOG_BACKUPS = 3


def log_directory() -> Path:
    """Where the error log lives: the user's own profile, never the (shared) workbook's folder."""
    return Path.home() / ".bup-gruppbokningar"


def log_path() -> Path:
    return log_directory() / LOG_FILE_NAME


def _logger() -> logging.Logger:
    logger = logging.getLogger("xl_addin.fel")
    path = str(log_path())
    current = [handler for handler in logger.handlers if getattr(handler, "baseFilename", None) == path]
    if not current:
        for handler in list(logger.handlers):
            logger.removeHandler(handler)
            handler.close()
        from logging.handlers import RotatingFileHandler  # only when something is logged: it pulls in socket

        log_directory().mkdir(parents=True, exist_ok=True)
        handler = RotatingFileHandler(
            path, maxBytes=LOG_MAX_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8", delay=True
        )
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    return logger


def describe_exception(error: BaseException) -> str:
    """Type and stack frames (file name, line, function) of ``error`` and its causes; no message text."""
    lines: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        kind = type(current)
        lines.append(f"{kind.__module__}.{kind.__qualname__}")
        for frame in traceback.extract_tb(current.__traceback__):
            lines.append(f"  {Path(frame.filename).name}:{frame.lineno} {frame.name}")
        current = current.__cause__ or current.__context__
        if current is not None:
            lines.append("orsakat av:")
    return "\n".join(lines)


def log_exception(where: str, error: BaseException) -> None:
    """Write the technical detail of ``error`` to the local log; never raises."""
    try:
        from . import __version__

        if sys.platform == "emscripten":  # xlwings Lite: the log file would stay in the browser; show it
            print(f"{where} | xl_addin {__version__} | Python {sys.version.split()[0]}\n{describe_exception(error)}")
        _logger().error(
            "%s | xl_addin %s | Python %s\n%s", where, __version__, sys.version.split()[0], describe_exception(error)
        )
    except Exception:  # the log is a help, not a reason to fail a button
        pass
