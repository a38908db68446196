"""How the registry learns of the register's changes (INKAN_JUKI_LINKAGE): pull, push and / or file.

The data-linkage policy for standard-compliant municipal systems takes PULL as the principle (the registry asks
the register's change feed what changed, every ``pull_seconds``) with file linkage as the basic alternative (the
register drops change files into ``file_dir``); push (the register POSTs each event) stays an option.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["FILE", "MODES", "PULL", "PUSH", "LinkageSettings"]

PULL, PUSH, FILE = "pull", "push", "file"
MODES = (PULL, PUSH, FILE)
MAX_PULL_SECONDS = 86400


@dataclass(frozen=True)
class LinkageSettings:
    """The configured ways in, the period of pull and file reading, and the change-file folder."""

    modes: tuple[str, ...] = (PULL,)
    pull_seconds: float = 60.0
    file_dir: Path | None = None
    page_size: int = 100  # changes asked for per request of the feed

    @classmethod
    def parse(cls, modes: str, pull_seconds: object, file_dir: str | None) -> LinkageSettings:
        """Settings from the configuration values; raise ValueError with a Japanese message naming the setting."""
        chosen = tuple(dict.fromkeys(part.strip().lower() for part in str(modes or "").split(",") if part.strip()))
        unknown = [mode for mode in chosen if mode not in MODES]
        if not chosen or unknown:
            raise ValueError("INKAN_JUKI_LINKAGE は pull / push / file のいずれか（カンマ区切りで複数可）を"
                             f"指定してください（指定値: {modes!r}）")
        try:
            seconds = float(pull_seconds)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            seconds = float("nan")
        if not 1 <= seconds <= MAX_PULL_SECONDS:
            raise ValueError(f"INKAN_JUKI_PULL_SECONDS は1〜{MAX_PULL_SECONDS}秒で指定してください")
        folder = Path(file_dir) if file_dir and file_dir.strip() else None
        if FILE in chosen and (folder is None or not folder.is_dir()):
            raise ValueError("INKAN_JUKI_LINKAGE に file を含めるときは、INKAN_JUKI_FILE_DIR に異動ファイルを置く"
                             f"既存のフォルダを指定してください（指定値: {file_dir!r}）")
        return cls(modes=chosen, pull_seconds=seconds, file_dir=folder)

    @property
    def pulls(self) -> bool:
        return PULL in self.modes

    @property
    def pushes(self) -> bool:
        return PUSH in self.modes

    @property
    def reads_files(self) -> bool:
        return FILE in self.modes and self.file_dir is not None
