"""Files of installed distributions: other people's code that an installer put in the tree.

A folder into which pip installed packages (a virtual environment's `site-packages`, an AWS Lambda
package made with `pip install --target`, a copied environment) holds, per distribution, a
`NAME-VERSION.dist-info/RECORD` listing every file the installer wrote (`path,sha256=DIGEST,size`,
paths relative to that folder), or for legacy installs an `NAME.egg-info/installed-files.txt`
(paths relative to the egg-info folder). Those files are not the project's practice (a committed
environment's tests are not the project's tests, its seeds are not the project's seeds), so the
index leaves them out of the listing for every detector (`RepoIndex`, `docs/collector.md`).

A RECORD is untrusted input: a repository could ship a made-up one to hide its own files (say an
unpinned requirements file or a hard-coded secret that would fail a check). So a file is left out
only when all of these hold:

- its RECORD line is a plain relative path below the RECORD's installation folder (the parent of
  the `.dist-info` folder): no absolute path, no `..`, `.` or empty component, no backslash;
- it is listed, and it is not at the repository root;
- neither the installation folder nor the file's own folder holds a project build file
  (`pyproject.toml`, `setup.py`, `requirements.txt`, a Dockerfile, CI files, ...): a folder with
  those is a project, not an installation target, whatever a RECORD says (wheels do ship a
  `pyproject.toml` or a test `setup.py` inside a package: only that folder's files stay);
- the `.dist-info` folder holds a METADATA file (`.egg-info`: PKG-INFO), as every install writes;
- for a RECORD: the file's content has the sha256 digest the RECORD gives (a file changed after
  it was installed is the project's change; a file too large to read cannot be checked and is
  left out only when it is not Python, as too large a file is never read anyway); files whose
  RECORD line has no digest (the RECORD itself, `.pyc` files) only inside the `.dist-info` folder.

RECORD files are read within the index's per-file cap, at most `MAX_RECORD_LINES` lines each and
`MAX_RECORDS` of them. Everything here is pure except the `read` callback the index passes in.
"""

from __future__ import annotations

import base64
import bisect
import csv
import hashlib
import posixpath
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from mlops_audit.evidence.repo import places

MAX_RECORD_LINES = 100_000
MAX_RECORDS = 2_000
MAX_LISTED_FOLDERS = 200  # folders named in the collection's summary (all are counted)

# Names whose presence makes a folder a project (its own build, dependency, container or CI files).
PROJECT_FILES = frozenset(
    {
        "pyproject.toml", "setup.py", "setup.cfg", "requirements.txt", "requirements-dev.txt", "Pipfile",
        "Pipfile.lock", "poetry.lock", "uv.lock", "environment.yml", "environment.yaml", "conda.yaml",
        "Dockerfile", "docker-compose.yml", "docker-compose.yaml", "Makefile", "dvc.yaml", "MLproject",
        "Jenkinsfile", ".gitlab-ci.yml", "azure-pipelines.yml", "tox.ini", "noxfile.py",
    }
)
CI_FOLDERS = (".github/", ".circleci/", ".gitlab/")  # a folder holding one of these is a project's
CODE_SUFFIXES = (".py", ".pyw", ".ipynb")  # what the detectors read as code
# Also project files by their name's shape: requirement and constraint lists (`requirements-gpu.txt`,
# `requirements/base.in`), Dockerfiles with prefixes or suffixes (`Dockerfile.gpu`).
_REQUIREMENTS_NAME = re.compile(r"(?:requirements|constraints)[^/]*\.(?:txt|in)\Z", re.IGNORECASE)


def is_project_file(name: str) -> bool:
    """A file name that makes its folder a project's: build, dependency, container or CI files."""
    return name in PROJECT_FILES or bool(_REQUIREMENTS_NAME.match(name)) or places.is_dockerfile(name)
_RECORD = re.compile(r"(?:^|/)[^/]+\.dist-info/RECORD\Z")
_INSTALLED_FILES = re.compile(r"(?:^|/)[^/]+\.egg-info/installed-files\.txt\Z")
_METADATA_NAMES = ("/RECORD", "/installed-files.txt")  # a C-speed first test of every listed path


@dataclass(frozen=True)
class Distribution:
    """One installed distribution whose files were left out."""

    metadata: str  # its `.dist-info` / `.egg-info` folder, repository-relative
    files: int
    python_files: int


@dataclass
class InstalledCode:
    """What `find_installed` decided: the files left out, per distribution, and why RECORDs (or
    lines of them) were not believed."""

    left_out: set[str] = field(default_factory=set)
    distributions: list[Distribution] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def python_files(self) -> int:
        return sum(d.python_files for d in self.distributions)


def parent(rel: str) -> str:
    return rel.rpartition("/")[0]


def under(listing: Sequence[str], folder: str) -> Sequence[str]:
    """The listed paths below `folder` ('' = all), from the sorted listing."""
    if not folder:
        return listing
    start = bisect.bisect_left(listing, folder + "/")
    end = bisect.bisect_left(listing, folder + "0")  # "0" sorts right after "/"
    return listing[start:end]


def project_folder(rel: str) -> str | None:
    """The folder `rel` makes a project: its own for a build, dependency, container or CI file, the
    folder holding `.github/` (`.circleci/`, `.gitlab/`) for the files in it; else None."""
    if is_project_file(rel.rsplit("/", 1)[-1]):
        return parent(rel)
    return ci_folder_owner(rel)


def ci_folder_owner(rel: str) -> str | None:
    """The folder holding the CI folder (`.github/`, ...) that `rel` is in ('' = the root), else None."""
    if rel.startswith(CI_FOLDERS):
        return ""
    for marker in CI_FOLDERS:
        if (at := rel.find("/" + marker)) != -1:
            return rel[:at]
    return None


def _plain(path: str) -> bool:
    return bool(path) and not path.startswith("/") and "\\" not in path and all(p not in ("", ".", "..") for p in path.split("/"))


def record_entries(text: str) -> list[tuple[str, str]]:
    """(path, digest) of a RECORD's lines (CSV: path, `sha256=urlsafe-base64`, size); at most
    `MAX_RECORD_LINES` lines. The digest is '' when the line gives none."""
    rows = []
    for number, row in enumerate(csv.reader(text.splitlines())):
        if number >= MAX_RECORD_LINES:
            break
        if row and row[0]:
            rows.append((row[0], row[1] if len(row) > 1 else ""))
    return rows


def _digest_matches(data: bytes, digest: str) -> bool:
    algorithm, _, value = digest.partition("=")
    if algorithm != "sha256" or not value:
        return False
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode() == value


def find_installed(
    files: Iterable[str],
    read: Callable[[str], bytes | None],
    is_file: Callable[[str], bool],
) -> InstalledCode:
    """The listed files that belong to installed distributions (see the module text). `files`: the
    listing (sorted); `read(rel)`: a listed file's bytes within the per-file cap, or None when it is
    too large or unreadable; `is_file(rel)`: whether `rel` is listed."""
    listing = files if isinstance(files, list) else list(files)  # sorted, as the index lists
    found = InstalledCode()
    metadata_files = [f for f in listing if f.endswith(_METADATA_NAMES) and (_RECORD.search(f) or _INSTALLED_FILES.search(f))][:MAX_RECORDS]
    if not metadata_files:
        return found
    project_folders = {folder for f in listing if (folder := project_folder(f)) is not None}
    for meta in metadata_files:
        meta_folder = parent(meta)
        target = parent(meta_folder)  # the installation folder ('' = the repository root)
        if target in project_folders:
            found.problems.append(f"{meta}: not believed: its folder also holds the project's build files; its files count as the project's")
            continue
        if not is_file(f"{meta_folder}/METADATA") and not is_file(f"{meta_folder}/PKG-INFO"):
            found.problems.append(f"{meta}: not believed: its folder has no METADATA (or PKG-INFO) as installed distributions do; its files count as the project's")
            continue
        raw = read(meta)
        if raw is None:
            found.problems.append(f"{meta}: not believed: too large or unreadable; its files count as the project's")
            continue
        text = raw.decode("utf-8", "replace")
        is_record = meta.endswith("/RECORD")
        entries = record_entries(text) if is_record else [(line.strip(), "") for line in text.splitlines()[:MAX_RECORD_LINES] if line.strip()]
        # Lines naming paths outside the installation folder (`../../bin/tool`) name no file here and are passed over.
        claimed = {rel: digest for path, digest in entries if (rel := _resolve(path, target, meta_folder, is_record)) and "/" in rel and is_file(rel)}
        # Its own metadata folder goes with it (METADATA, WHEEL, entry points...).
        own_metadata = under(listing, meta_folder)
        for rel in own_metadata:
            claimed.setdefault(rel, "")
        mine = set()
        refused = 0
        for rel, digest in claimed.items():
            if _outside_projects(rel, project_folders) and (not is_record or _content_matches(rel, digest, meta_folder, read)):
                mine.add(rel)
            else:
                refused += 1
        if refused:
            found.problems.append(
                f"{meta}: {refused} file(s) it lists not believed (beside project build files, or changed since installed); they count as the project's"
            )
        if mine - set(own_metadata):
            found.left_out |= mine
            found.distributions.append(Distribution(meta_folder, len(mine), sum(1 for f in mine if f.endswith(CODE_SUFFIXES))))
    return found


def _resolve(path: str, target: str, meta_folder: str, is_record: bool) -> str | None:
    """The repository-relative path a metadata line names, or None when it is not a plain path
    inside the installation folder."""
    if is_record:
        return (f"{target}/{path}" if target else path) if _plain(path) else None
    # installed-files.txt: relative to the egg-info folder (`../pkg/mod.py`), normalised, then inside.
    if path.startswith("/") or "\\" in path:
        return None
    rel = posixpath.normpath(posixpath.join(meta_folder, path))
    inside = rel.startswith(target + "/") if target else not rel.startswith("..")
    return rel if inside and _plain(rel) else None


def _outside_projects(rel: str, project_folders: set[str]) -> bool:
    """The file's own folder holds no project build files (wheels do ship a `pyproject.toml` or a
    test `setup.py` deep inside a package: only that folder's files stay, not the whole package)."""
    return parent(rel) not in project_folders


def _content_matches(rel: str, digest: str, meta_folder: str, read: Callable[[str], bytes | None]) -> bool:
    if not digest:
        return rel.startswith(meta_folder + "/")  # the RECORD itself, signatures: metadata only
    data = read(rel)
    if data is None:
        return not rel.endswith(CODE_SUFFIXES)  # too large to read (or gone): never read by a detector either
    return _digest_matches(data, digest)


def summary_line(
    distributions: int, python_files: int, files: int, vendored: int, documentation: tuple[int, int] = (0, 0), learning: tuple[int, int] = (0, 0)
) -> str:
    """'left out as not the project's code: ...' (the console summary and the docs quote it).
    `documentation`: (trees, code files) of documentation sites (`documents`); `learning`: the same
    for learning material (`lessons`)."""
    from mlops_audit.evidence.repo import lessons
    from mlops_audit.evidence.repo.documents import summary_part

    parts = []
    if distributions:
        parts.append(f"{python_files:,} Python files ({files:,} files) of {distributions:,} installed distribution(s), listed in their RECORD files")
    if vendored:
        parts.append(f"{vendored:,} vendored or environment folder(s) (vendor/, third_party/, node_modules/, site-packages/...)")
    if documentation[1]:
        parts.append(summary_part(*documentation))
    if learning[1]:
        parts.append(lessons.summary_part(*learning))
    return "left out as not the project's code: " + " and ".join(parts) if parts else ""
