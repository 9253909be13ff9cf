"""Judgement memo: the documentation-code and learning-material judgements of a listing, kept with what they read.

Before any rule runs, the index judges which listed code belongs to documentation sites
(`documents.find_documentation_code`) and which is learning material
(`lessons.find_learning_material`: the README's claims, the tree's structure, the remote's name, the
learnt classifier's features). On a warm re-collect of the dask source with nothing changed that was
about 7 ms of 50 (a dozen walks of the listing, the classifier's features), for an answer that had
not changed. Both are pure functions of the listing they are given (after installed distributions
are left out), the bytes of the few files they read through the index (READMEs, site
configurations: one to three reads), the remote's names (`reponame`), the index's options and the
tool's own sources. So the parse cache keeps, per repository, both results with a digest of that
listing and the content answer of each file they read (`<outcome>:<SHA-256 of the bytes>`, as a
rule memo's content question), and a later run whose listing, names and files give the same
answers uses the stored results. The files are read again to answer (without counting the reads:
the judgements never count theirs), so a changed README is judged again.

One file per repository in the parse cache folder, `<R>.judged.<version[:16]>.json`: `R` is the
rule memo's `repository_key` (the memo version, the options the index was given, the resolved root)
and the version `rulememo.memo_version` (the tool's sources, the learnt model among them). Its body
(after `filecache`'s HMAC header) is one JSON line:

    {"format": 1, "version": V, "parser": "judgements", "repository": R, "listing": L, "names": [...],
     "classify": bool, "reads": [[file, answer], ...], "documentation": [...], "learning": [...]}

**The file is untrusted input**, like every cache entry: at most `MAX_JUDGED_BYTES`, authenticated,
and checked by hand before anything is used (`decode`): exact keys, this format and version, the
repository it names, every field of the two results of its type, every file they leave out one of
the listing it was stored for. A refused file is counted by reason in the parse cache's stats,
ignored (the judgements run) and replaced.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from typing import Any

from mlops_audit.evidence.repo.documents import DocsTree, DocumentationCode
from mlops_audit.evidence.repo.lessons import COURSE, NONE, PARTLY, LearningMaterial, LessonTree
from mlops_audit.evidence.repo.needleform import Refused, load_document

FORMAT = 1
PARSER = "judgements"
KIND = "judged"  # the file kind in the cache folder (`ParseCache._name`)
MAX_JUDGED_BYTES = 32 * 1024 * 1024
MAX_READS = 10_000
MAX_TEXT = 1024 * 1024  # characters of any one string
_KEYS = frozenset({"format", "version", "parser", "repository", "listing", "names", "classify", "reads", "documentation", "learning"})
_VERDICTS = frozenset({COURSE, PARTLY, NONE})

Judged = tuple[DocumentationCode, LearningMaterial]


def listing_digest(files: Sequence[str]) -> str:
    """A digest of a listing (paths may hold lone surrogates: kept as they are)."""
    digest = hashlib.sha256()
    for rel in files:
        digest.update(rel.encode("utf-8", "surrogatepass") + b"\0")
    return digest.hexdigest()


def encode(repository: str, version: str, listing: str, names: Sequence[str], classify: bool, reads: dict[str, str], judged: Judged) -> bytes:
    """The body of a repository's judgement memo."""
    documentation, learning = judged
    document = {
        "format": FORMAT, "version": version, "parser": PARSER, "repository": repository, "listing": listing, "names": list(names),
        "classify": classify, "reads": [[rel, answer] for rel, answer in reads.items()],
        "documentation": [sorted(documentation.left_out), [[t.path, t.config, t.why, t.code_files] for t in documentation.trees], list(documentation.notes)],
        "learning": [
            sorted(learning.left_out), [[t.path, t.why, t.code_files, t.other_files] for t in learning.trees], learning.code_total, learning.verdict,
            learning.teaching, learning.probability, learning.declared, [[k, v] for k, v in learning.signs.items()], learning.rules_share,
            learning.rules_course, learning.two_signs,
        ],
    }
    return json.dumps(document, separators=(",", ":"), allow_nan=False).encode("ascii")  # lone surrogates escaped: every path has one form


def _text(value: object) -> bool:
    return type(value) is str and len(value) <= MAX_TEXT


def _texts(value: object) -> bool:
    return type(value) is list and all(_text(v) for v in value)


def _count(value: object) -> bool:
    return type(value) is int and value >= 0


def _share(value: object) -> bool:
    return value is None or (type(value) in (int, float) and 0 <= value <= 1)


def _files(value: object, listed: frozenset[str]) -> set[str]:
    """Files left out: sorted, unique, each one of the listing."""
    if not _texts(value) or any(value[i] >= value[i + 1] for i in range(len(value) - 1)) or not listed.issuperset(value):  # type: ignore[index, arg-type]
        raise Refused("corrupt")
    return set(value)  # type: ignore[arg-type]


def _documentation(row: object, listed: frozenset[str]) -> DocumentationCode:
    if type(row) is not list or len(row) != 3:
        raise Refused("corrupt")
    left_out, trees, notes = row
    found = DocumentationCode(left_out=_files(left_out, listed))
    if type(trees) is not list or not _texts(notes):
        raise Refused("corrupt")
    for tree in trees:
        if type(tree) is not list or len(tree) != 4 or not all(_text(v) for v in tree[:3]) or not _count(tree[3]):
            raise Refused("corrupt")
        found.trees.append(DocsTree(*tree))
    found.notes = list(notes)
    return found


def _learning(row: object, listed: frozenset[str]) -> LearningMaterial:
    if type(row) is not list or len(row) != 11:
        raise Refused("corrupt")
    left_out, trees, code_total, verdict, teaching, probability, declared, signs, rules_share, rules_course, two_signs = row
    if (
        type(trees) is not list or not _count(code_total) or verdict not in _VERDICTS or not (teaching is None or _text(teaching))
        or not _share(probability) or type(declared) is not bool or type(signs) is not list or not _share(rules_share)
        or type(rules_course) is not bool or type(two_signs) is not bool
    ):
        raise Refused("corrupt")
    found = LearningMaterial(
        left_out=_files(left_out, listed), code_total=code_total, verdict=verdict, teaching=teaching, probability=probability, declared=declared,
        rules_share=rules_share, rules_course=rules_course, two_signs=two_signs,
    )
    for tree in trees:
        if type(tree) is not list or len(tree) != 4 or not _text(tree[0]) or not _text(tree[1]) or not _count(tree[2]) or not _count(tree[3]):
            raise Refused("corrupt")
        found.trees.append(LessonTree(*tree))
    for sign in signs:
        if type(sign) is not list or len(sign) != 2 or not _text(sign[0]) or not _text(sign[1]) or sign[0] in found.signs:
            raise Refused("corrupt")
        found.signs[sign[0]] = sign[1]
    return found


def decode(body: bytes, repository: str, version: str, listed: frozenset[str]) -> tuple[dict[str, Any], Judged]:
    """The stored question (`listing`, `names`, `classify`, `reads`: file -> answer) and the two
    results of a memo's body, every field checked; raises Refused. `listed`: the files the listing
    now holds (a stored listing digest that matches names the same files)."""
    document = load_document(body, _KEYS, PARSER, form=(FORMAT, version), repository=repository)
    listing, names, classify, reads = document["listing"], document["names"], document["classify"], document["reads"]
    if not _text(listing) or not _texts(names) or type(classify) is not bool or type(reads) is not list or len(reads) > MAX_READS:
        raise Refused("corrupt")
    asked: dict[str, str] = {}
    for read in reads:
        if type(read) is not list or len(read) != 2 or not _text(read[0]) or not _text(read[1]) or read[0] in asked:
            raise Refused("corrupt")
        asked[read[0]] = read[1]
    judged = (_documentation(document["documentation"], listed), _learning(document["learning"], listed))
    return {"listing": listing, "names": names, "classify": classify, "reads": asked}, judged


def judge(files: Sequence[str], read: Callable[[str], bytes | None], *, classify: bool, declared: bool, names: Sequence[str]) -> Judged:
    """The two judgements as the index makes them: documentation code first, then learning material
    in the listing without it."""
    from mlops_audit.evidence.repo import documents, lessons

    documentation = documents.find_documentation_code(files, read)
    rest = [f for f in files if f not in documentation.left_out] if documentation.left_out else files
    return documentation, lessons.find_learning_material(rest, read, classify=classify, declared=declared, names=names)
