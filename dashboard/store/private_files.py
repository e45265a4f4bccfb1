"""Files that hold password hashes, child-level rows or keys are readable by the app's own user only: folders 0700,
files 0600, whatever the umask, created that way (not chmod-ed after, when another user could already have opened
them). SQLite creates its -wal and -shm files with the database file's permissions."""
from __future__ import annotations

import os
from pathlib import Path

FOLDER_MODE, FILE_MODE = 0o700, 0o600


def private_folder(path: Path) -> Path:
    path.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    os.chmod(path, FOLDER_MODE)   # an existing folder (or one made before this rule) is closed too
    return path


def private_file(path: Path) -> Path:
    """Create `path` empty and owner-only if it is missing; make an existing one owner-only. An existing file is never
    opened: closing a descriptor drops every POSIX lock this process holds on the file, and SQLite's are among them."""
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE))
    except FileExistsError:
        pass
    os.chmod(path, FILE_MODE)
    return path


def write_private(path: Path, text: str) -> Path:
    private_file(path)
    with open(path, "w", encoding="utf-8") as out:
        out.write(text)
    return path


def sqlite_file(url: str) -> Path | None:
    """The database file a SQLite URL names (None for another store or an in-memory database)."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or url in (prefix, prefix + ":memory:"):
        return None
    return Path(url[len(prefix):].split("?", 1)[0])


def private_sqlite(url: str) -> None:
    """Before SQLite opens the file: the file (and so its journals) 0600. A missing folder is left missing (a volume
    not mounted yet, a typo): SQLite then says it cannot open the file, and /readyz says so."""
    path = sqlite_file(url)
    if path is None or not path.parent.is_dir():
        return
    private_file(path)
    for journal in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if journal.exists():
            os.chmod(journal, FILE_MODE)
