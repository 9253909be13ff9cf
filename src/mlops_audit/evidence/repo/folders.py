"""Reading inside a tree without ever passing a symbolic link: folders opened one component at a
time from the root with O_NOFOLLOW, files opened relative to their folder."""

from __future__ import annotations

import os
from collections import OrderedDict

READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
_FOLDER_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
MAX_OPEN_FOLDERS = 64


def safe_relative(rel: str) -> bool:
    """A relative path whose every component names an entry of its folder (no '', '.' or '..')."""
    return not rel.startswith("/") and all(part not in ("", ".", "..") for part in rel.split("/"))


class FolderFds:
    """Open folders of the tree, each opened inside its parent with O_NOFOLLOW, starting at the
    root: a path resolved through these never passes a symbolic link, so it cannot lead out of the
    root whatever changes in the tree after the listing (what `openat2(RESOLVE_BENEATH)` gives,
    portably). The most recently used folders stay open (files are read folder by folder)."""

    def __init__(self, root: str) -> None:
        self.root = os.open(root, os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0))
        self.open: OrderedDict[str, int] = OrderedDict()
        self.last, self.last_fd = "", self.root

    def fd(self, folder: str) -> int:
        if folder == self.last:  # files are mostly read folder by folder
            return self.last_fd
        if not folder:
            return self.root
        found = self.open.get(folder)
        if found is not None:
            self.open.move_to_end(folder)
            self.last, self.last_fd = folder, found
            return found
        parent, _, name = folder.rpartition("/")
        if name in ("", ".", ".."):
            raise OSError(f"not a plain folder name: {name!r}")
        fd = os.open(name, _FOLDER_FLAGS, dir_fd=self.fd(parent))
        self.open[folder] = fd
        while len(self.open) > MAX_OPEN_FOLDERS:
            evicted, closed = self.open.popitem(last=False)
            os.close(closed)
            if evicted == self.last:
                self.last, self.last_fd = "", self.root
        self.last, self.last_fd = folder, fd
        return fd

    def close(self) -> None:
        self.last, self.last_fd = "", -1
        while self.open:
            os.close(self.open.popitem()[1])
        if self.root >= 0:
            os.close(self.root)
            self.root = -1
