"""Governance: design documents, dependency pinning, security scanning, code ownership."""

from __future__ import annotations

import dataclasses
import re

from mlops_audit.evidence.repo import casewords
from mlops_audit.evidence.repo.catalogue import action_pattern, command_pattern, vocabulary
from mlops_audit.evidence.repo.ciconfig import ci_commands, ci_run_commands, workflow_triggers
from mlops_audit.evidence.repo.detectors import _codescanning, _designdocs, _dotnet, _golang, _inhouse, _jvm
from mlops_audit.evidence.repo.detectors._deployers import DEMO_FOLDER
from mlops_audit.evidence.repo.detectors._python import is_test_path
from mlops_audit.evidence.repo.index import RepoIndex, text_test
from mlops_audit.evidence.repo.lessons import COURSE
from mlops_audit.evidence.repo.model import Confidence, Kind, Location
from mlops_audit.evidence.repo.registry import Observation, at, detector

# Session 16: org-mode pages and plain-text READMEs or design-named notes (`Readme.txt`, `architecture.txt`) too.
_DOC_SUFFIXES = (".md", ".rst", ".adoc", ".pdf", ".docx", ".org", ".txt")
# Plain-text files named for what they list (pip requirements, constraints, lock files) are not documents.
_PACKAGE_LIST_NAME = re.compile(r"requirement|constraint|lock|deps|dependencies|pip", re.IGNORECASE)
_BINARY_DOCS = (".pdf", ".docx")
# Files whose name says what they are, and it is not design.
_NOT_DESIGN = ("license", "changelog", "changes", "history", "contributing", "code_of_conduct", "security", "authors", "notice", "citation")
# Design documents in the other languages teams write them in (session 12): Chinese, Japanese, Korean,
# Spanish, Portuguese, French, German and Russian words for design, architecture and requirements
# (`系统设计.md`, `アーキテクチャ.md`, `docs/arquitectura.md`, `Anforderungen.md`). CJK words are not
# bounded by `\b` (a run of CJK characters is one "word"), so they match inside longer titles.
# A bare 设计 ("design") is left out: "设计目标" (design goals) heads coding-style notes as "Design goals"
# would; the compounds name a system's design or requirements document.
_DESIGN_WORDS_ELSEWHERE = (
    r"架构|系统设计|概要设计|详细设计|技术设计|设计文档|设计方案|设计说明|需求分析|需求文档|需求说明|需求规格"
    r"|設計書|基本設計|詳細設計|システム設計|アーキテクチャ|要件定義|아키텍처|시스템 설계|설계 문서|요구사항"
    r"|arquitectura|arquitetura|dise[nñ]o|requisitos|conception|exigences|architektur|entwurf|anforderungen"
    r"|архитектур|проектировани|требовани"
)
_DESIGN_NAME = re.compile(
    r"design|architecture|requirement|specification|\bspec\b|\badrs?\b|adr[-_]?\d|decision[-_ ]?(record|log)|\brfcs?\b"
    r"|proposal|model[-_ ]?card|data[-_ ]?card|datasheet|system[-_ ]?card|\bprd\b"
    # session 12: a system overview, a methodology (how the system computes what it reports), a technical
    # overview or specification, a runbook (how the running system is operated)
    r"|system[-_ ]?overview|methodology|technical[-_ ]?(overview|spec\w*|documentation|design)|runbook"
    # session 14 (conventions §14: data flow): a document of the system's flows (`APPLICATION_FLOW.md`,
    # `docs/data_flow.md`, `pipeline-flow.md`) describes how its parts hand data on
    r"|(application|system|pipeline|process|information)[-_ ]?flows?\b|data[-_ ]flows?\b"  # not Google's `Dataflow`
    r"|" + _DESIGN_WORDS_ELSEWHERE,
    re.IGNORECASE,
)
_DESIGN_HEADING = re.compile(  # searched in heading titles (`RepoIndex.doc_headings`)
    r"\b(design|architecture|requirements|model card|model details|intended use|decision|context and problem|proposal"
    # session 12: the sections design documents are written with besides the word "design" itself
    r"|system overview|technical overview|solution overview|data ?flow|system components|problem statement"
    r"|evaluation (plan|strategy|methodology|framework)|methodology|runbook|non-functional"
    # round 2 (batch 16 and 2-3 spent repositories each): the design of the data - a data schema, data
    # model or data dictionary, a database, dataset or event schema (a bare "Schema" heads API pages)
    r"|data (schema|model|dictionary)|(database|dataset|event) schema"
    # session 14 (conventions §14: runbooks that state the design - thresholds, SLOs, monitoring design):
    # a page setting the service's objectives or its alerting is design of the running system
    r"|slos?|service level (objectives?|agreements?|indicators?)|alert(ing)? (rules|thresholds|policy|design)|monitoring (design|plan|strategy))\b"
    r"|" + _DESIGN_WORDS_ELSEWHERE,
    re.IGNORECASE,
)
# Documentation folders: docs/, a wiki, a Docusaurus or other site's `*-docs/` / `*_docs/` folder, 文档/.
_DOCS_FOLDER = re.compile(
    r"(^|/)(docs?|documentation|design|architecture|adrs?|rfcs?|proposals?|decisions|wiki|[\w-]+[-_]docs?|文档|ドキュメント)/", re.IGNORECASE
)
MIN_DOC_CHARS = 400  # of prose: below this a "design document" is a stub


# Documents named as setup or how-to guides: instructions, not requirements or design.
# Session 14: procedures, policies and checklists (`docs/procedures.md`: account access, a lifecycle
# policy) say how people operate, not how the system is built, whatever their headings name.
_HOW_TO_NAME = re.compile(
    r"setup|install|guide|tutorial|how[-_]?to|getting[-_]?started|troubleshoot|faq|quickstart|onboarding|procedures?|polic(y|ies)|checklists?",
    re.IGNORECASE,
)


def _heading_lines(text: str, limit: int = 400) -> list[tuple[int, str]]:
    """(line number, line) of the first `limit` lines outside fenced code blocks: a `# comment`
    in a shell snippet is not a heading."""
    out = []
    fenced = False
    for number, line in enumerate(text.splitlines()[:limit], start=1):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        elif not fenced:
            out.append((number, line))
    return out


def _prose_chars(text: str) -> int:
    """Characters of prose, leaving out code blocks, directives, tables and comments."""
    count = 0
    in_code = False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("```"):
            in_code = not in_code
            continue
        if in_code or not stripped or stripped.startswith((".. ", ":", "|", "<!--")):
            continue
        count += len(stripped)
    return count


# A word of every path `_DESIGN_NAME`, `_DOCS_FOLDER` or a README name matches (lowercased): paths
# without one are settled without those case-insensitive regexes (property-tested).
_DESIGN_HINT = re.compile(
    "design|architecture|requirement|spec|adr|decision|rfc|proposal|card|datasheet|prd|doc|readme|overview|methodology|technical|runbook|wiki|flow"
    "|" + _DESIGN_WORDS_ELSEWHERE + "|文档|ドキュメント"
)


def may_be_design_path(path: str) -> bool:
    return _DESIGN_HINT.search(path.lower()) is not None


# Rule `architecture diagram in the docs`: a documentation page (under docs/ or in a site's nav)
# that embeds a diagram whose file says it is the architecture (`.. image:: _static/architecture_diagram.png`,
# `![C4](img/c4-containers.svg)`): the page describes the system's design, whatever its title.
# The alt text and the tag's attributes stop at the next image's opener (`![`, `<`): an open run that
# crossed it made every opener of a file of `![![![...` or `<img <img ...` scan to the file's end
# (quadratic: 100 KB of `<img ` took 24 s). An alt text holding `![` gives the same target from the
# inner opener; a `<` inside a tag's attributes (never in the pages seen) now ends the tag.
_ALT_TEXT = r"(?:[^\]!]|!(?!\[))*"
_TAG_ATTRIBUTES = r"[^<>]*"
_EMBEDDED_IMAGE = re.compile(
    r"(?:^[^\S\n]*\.\.\s+(?:image|figure)::\s*(\S+)|!\[" + _ALT_TEXT + r"\]\(\s*([^)\s]+)|<img\s" + _TAG_ATTRIBUTES + r"src=[\"']([^\"']+))",
    re.MULTILINE | re.IGNORECASE,
)
# The image's suffix is found first and the name's words before it: one pattern with `[^/]*` between
# them rescanned the rest of the name from every word (a 48 KB name of `designdesign...` took 0.2 s,
# a capped one minutes).
_DIAGRAM_WORD = re.compile(
    r"architecture|design|(^|[-_ ])c4(?=[-_ .]|$)|system[-_ ]?(overview|diagram|context)|component[-_ ]?diagram|data[-_ ]?flow", re.IGNORECASE
)
_DIAGRAM_SUFFIX = re.compile(r"\.(png|svg|jpe?g|gif|drawio|webp)$", re.IGNORECASE)


def _diagram_name(name: str) -> bool:
    """Whether a file name says it is an architecture or design diagram (`architecture_v2.png`)."""
    suffix = _DIAGRAM_SUFFIX.search(name)
    return suffix is not None and "/" not in name and _DIAGRAM_WORD.search(name, 0, suffix.start()) is not None


def _architecture_diagram(text: str) -> int | None:
    """The line of the first embedded image named as an architecture or design diagram, if any."""
    for match in _EMBEDDED_IMAGE.finditer(text):
        target = next(g for g in match.groups() if g)
        if _diagram_name(target.rsplit("/", 1)[-1]):
            return text.count("\n", 0, match.start()) + 1
    return None


# A README among data (`data/models/<downloaded model>/README.md`) is the card of what was downloaded.
_DATA_FOLDER = re.compile(r"(^|/)(data|datasets?)/", re.IGNORECASE)
_TEMPLATE_NAME = re.compile(r"(^|[-_. ])template([-_. ]|$)", re.IGNORECASE)


def _linked_from_a_page(repo: RepoIndex, path: str) -> bool:
    """Whether a Markdown/reST/AsciiDoc page of the repository names the file (a link or an include)."""
    name = path.rsplit("/", 1)[-1]
    spellings = (name, name.replace(" ", "%20"))
    return any(p != path and (text := repo.text(p)) and any(s in text for s in spellings) for p in repo.with_suffix(".md", ".rst", ".adoc"))


def _design_document(repo: RepoIndex, path: str) -> Location | None:
    """Where a file shows itself to be a design, requirements or model-card document, if it does."""
    nav_title = repo.mkdocs_pages().get(path)  # a page of a MkDocs site: its nav title names it too
    if not may_be_design_path(path) and nav_title is None:
        return None
    name = path.rsplit("/", 1)[-1].lower()
    if name.startswith(_NOT_DESIGN) or is_test_path(path) or any(part.startswith(".") for part in path.split("/")[:-1]):
        return None  # .github/, .claude/ ...: templates and assistant prompts, not the project's documents
    if _TEMPLATE_NAME.search(name):
        return None  # session 12: `model_card_template.md`, `ADR-0001-template.md`: placeholders to fill in, not a record
    stem_path = path.rsplit(".", 1)[0]
    named_as_design = bool(_DESIGN_NAME.search(stem_path) or (nav_title and _DESIGN_NAME.search(nav_title)))
    if name.endswith(".txt") and not (name.startswith("readme") or (named_as_design and not _PACKAGE_LIST_NAME.search(name))):
        return None  # a plain-text file is read as a document only when named as a README or as design
    if path.lower().endswith(_BINARY_DOCS):
        # Session 16: a PDF or Word file cannot be read here, so its name is one sign only; it is a design
        # document when also kept with the documentation (a docs/design folder, a site's nav) or linked
        # from a page of the repository. A brief named "requirements" dropped at the root (a course's
        # project brief) is neither.
        if not (named_as_design and repo.size(path) > 0):
            return None
        return at(path) if _DOCS_FOLDER.search(path) or nav_title is not None or _linked_from_a_page(repo, path) else None
    if not (named_as_design or _DOCS_FOLDER.search(path) or nav_title is not None or name.startswith("readme")):
        return None  # notes elsewhere are not read: only these three places can qualify
    text = repo.text(path)
    if not text:
        return None
    if _prose_chars(text) < MIN_DOC_CHARS:
        # an empty or stub document proves nothing; a decision log is rows of a table, not prose
        table = _decision_table(text) if _DOCS_FOLDER.search(path) or nav_title is not None or (name.startswith("readme") and "/" in path) else None
        return at(path, table) if table else None
    if named_as_design:
        return at(path, 1)
    if _HOW_TO_NAME.search(name):
        return None  # a setup or how-to guide, whatever its headings say
    # Markdown, reStructuredText (Sphinx) and AsciiDoc headings alike, fenced code left out.
    headings = [(n, title) for n, level, title in _designdocs.headings(repo, path) if n <= 400 and level <= 3 and _DESIGN_HEADING.search(title)]
    in_docs = bool(_DOCS_FOLDER.search(path)) or nav_title is not None
    # Session 15: a README of a sub-folder (a component's, a pipeline stage's, a region's) is read like
    # a page of the docs: its headings or diagram can make it the design of that part. The root
    # README alone never counts (conventions §14).
    part_readme = name.startswith("readme") and "/" in path and not _DATA_FOLDER.search(path)
    if not headings:
        diagram = _architecture_diagram(text) if in_docs or part_readme else None
        if diagram:
            return at(path, diagram)
        table = _decision_table(text) if in_docs or part_readme else None
        return at(path, table) if table else None
    if in_docs:
        return at(path, headings[0][0])
    if part_readme:
        # In a README "Requirements" lists what to install first, not what the system must do.
        designed = [(n, title) for n, title in headings if any(m.group(0).lower() != "requirements" for m in _DESIGN_HEADING.finditer(title))]
        if designed:
            return at(path, designed[0][0])
    # Model cards often are READMEs (Hugging Face style): their headings say so.
    if name.startswith("readme") and any(re.search(r"model card|intended use", h, re.IGNORECASE) for _, h in headings):
        return at(path, headings[0][0])
    return None


# Rules `published template` and `diagram drawn in a page` (session 16): a page anywhere in the tree
# (not only under docs/, named as design or a README) that follows a published design template - a
# decision record, arc42, a design doc or RFC, a model card, a datasheet (`_designdocs.TEMPLATES`) - or
# draws the system's structure or flow as a Mermaid/PlantUML diagram is a design document. Left out:
# the root README (conventions §14: a README alone does not count), files named for what they are
# (licence, changelog...), set-up guides and procedures, tests, tool folders (.github/ ...), templates,
# and cards of models downloaded into the tree (a folder holding a hub model's weights or config).
_ANYWHERE_SUFFIXES = (".md", ".markdown", ".rst", ".adoc", ".asciidoc", ".org", ".txt")
_TEMPLATE_FOLDER = re.compile(r"(^|/)_?templates?/", re.IGNORECASE)
MAX_PAGE_BYTES = 512 * 1024
# Files of a model snapshot downloaded from a hub (Hugging Face `save_pretrained` layout, exported weights).
_MODEL_SNAPSHOT_NAMES = frozenset({"config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "generation_config.json"})
_MODEL_WEIGHT_SUFFIXES = (".safetensors", ".bin", ".onnx", ".gguf", ".pt", ".pth", ".h5", ".ckpt", ".msgpack")


def _model_snapshot_folders(repo: RepoIndex) -> set[str]:
    folders = set()
    for path in repo.files:
        folder, _, name = path.rpartition("/")
        if name.lower() in _MODEL_SNAPSHOT_NAMES or name.lower().endswith(_MODEL_WEIGHT_SUFFIXES):
            folders.add(folder)
    return folders


# Instructions for coding assistants, by the names their tools read (Claude Code's CLAUDE.md, the AGENTS.md
# convention, Gemini CLI's GEMINI.md, GitHub Copilot's copilot-instructions.md): prompts, not the project's documents.
_ASSISTANT_FILES = ("claude.md", "claude.local.md", "agents.md", "agent.md", "gemini.md", "copilot-instructions.md")


def _page_anywhere(repo: RepoIndex, path: str) -> bool:
    """Whether a page outside the usual places may be read as a design document (see above)."""
    name = path.rsplit("/", 1)[-1].lower()
    if ("/" not in path and name.startswith("readme")) or name.startswith(_NOT_DESIGN) or _TEMPLATE_NAME.search(name) or name in _ASSISTANT_FILES:
        return False
    if _HOW_TO_NAME.search(path):
        return False  # a set-up or user guide, or a page in one's folder (`docs/user-guide/`), whatever it draws
    if name.endswith(".txt") and not (name.startswith("readme") or (_DESIGN_NAME.search(name) and not _PACKAGE_LIST_NAME.search(name))):
        return False
    if _TEMPLATE_FOLDER.search(path) or DEMO_FOLDER.search(path) or is_test_path(path) or any(part.startswith(".") for part in path.split("/")[:-1]):
        return False  # an example's or a demo's design is the example's (conventions §2, §5)
    return repo.size(path) <= MAX_PAGE_BYTES


def _pages_by_content(repo: RepoIndex, already: set[str]) -> tuple[list[Location], list[Location]]:
    """(pages following a published template, pages drawing the system as a diagram) not found already."""
    templates: list[Location] = []
    diagrams: list[Location] = []
    snapshots: set[str] | None = None
    for path in repo.with_suffix(*_ANYWHERE_SUFFIXES):
        if path in already or not _page_anywhere(repo, path):
            continue
        match = _designdocs.template_match(repo, path)
        if match is not None and match[0].name.startswith("model card"):
            snapshots = _model_snapshot_folders(repo) if snapshots is None else snapshots
            if path.rpartition("/")[0] in snapshots:
                match = None  # the card of a downloaded model, not of the team's
        if match is not None:
            templates.append(at(path, match[1]))
            continue
        line = _designdocs.embedded_diagram(repo, path)
        if line is not None:
            diagrams.append(at(path, line))
    return templates, diagrams


# Pictures kept for pages to show (`imgs/`, `assets/images/`, a site's `static/`) illustrate those pages and are
# judged with them (rule `architecture diagram in the docs`); a diagram file kept on its own is a document.
_PICTURE_FOLDER = re.compile(r"(^|/)(_?static|img|imgs|images?|assets|media|pics|pictures|figures?|screenshots|public)/", re.IGNORECASE)


def _diagram_files(repo: RepoIndex) -> list[Location]:
    """Diagram files of draw.io, Excalidraw and Structurizr (C4) that hold a drawn diagram, kept as
    documents (not among a page's pictures)."""
    found = []
    suffixes = sorted({"." + s.rsplit(".", 1)[-1] for s in _designdocs.DIAGRAM_FILE_SUFFIXES})
    for path in repo.with_suffix(*suffixes):
        if not path.lower().endswith(_designdocs.DIAGRAM_FILE_SUFFIXES) or is_test_path(path) or any(part.startswith(".") for part in path.split("/")[:-1]):
            continue
        if _PICTURE_FOLDER.search(path) or DEMO_FOLDER.search(path):
            continue
        if _designdocs.diagram_file(repo, path):
            found.append(at(path))
    return found


# Rule `decision log kept as a table` (session 15): decisions are often recorded as rows of a table
# rather than as one ADR per file: a column for what was asked or tried (question, issue, hypothesis,
# experiment, proposal), one for what was decided or found (decision, finding, outcome, conclusion,
# resolution) and one for when (date, closed, decided). A table with those three columns and at
# least MIN_DECISION_ROWS rows is a decision record of the system, whatever the page's headings.
_TABLE_SUBJECT = re.compile(r"\b(questions?|issues?|topics?|hypothes[ie]s|experiments?|proposals?|problems?|goals?|options?|changes?)\b", re.IGNORECASE)
_TABLE_DECISION = re.compile(r"\b(decisions?|decided|findings?|outcomes?|conclusions?|resolutions?|verdicts?)\b", re.IGNORECASE)
_TABLE_WHEN = re.compile(r"\b(dates?|closed|decided on|when)\b", re.IGNORECASE)
_TABLE_RULE = re.compile(r"^\|?[^\S\n]*:?-{3,}:?[^\S\n]*(\|[^\S\n]*:?-{3,}:?[^\S\n]*)+\|?[^\S\n]*$")
MIN_DECISION_ROWS = 2
MAX_TABLE_LINES = 2000  # lines of a page looked at for such a table


def _decision_table(text: str) -> int | None:
    """The line of the header of the first Markdown table recording decisions (above), if any."""
    lines = text.splitlines()[:MAX_TABLE_LINES]
    for number in range(1, len(lines) - MIN_DECISION_ROWS):
        if "|" not in lines[number] or not _TABLE_RULE.match(lines[number].strip()):
            continue
        header = lines[number - 1]
        cells = [c.strip() for c in header.strip().strip("|").split("|")]
        subject = [i for i, c in enumerate(cells) if _TABLE_SUBJECT.search(c)]
        decision = [i for i, c in enumerate(cells) if _TABLE_DECISION.search(c)]
        when = [i for i, c in enumerate(cells) if _TABLE_WHEN.search(c)]
        if not any(len({a, b, c}) == 3 for a in subject for b in decision for c in when):
            continue
        rows = 0
        for line in lines[number + 1 :]:
            if "|" not in line or not line.strip():
                break  # rows go on while lines hold cells (GFM tables need no outer pipes)
            rows += 1
        if rows >= MIN_DECISION_ROWS:
            return number  # the header's line (1-based: the line before the rule)
    return None


# Rule `diagrams kept as code` (session 12, round 3 from batch 19 and two spent repositories): PlantUML
# or Mermaid source files (`docs/plantuml/deployment.puml`, `architecture.mmd`) draw the system's
# deployment, components or flows - design kept beside the code. A diagram file needs a diagram in it
# (`@startuml`, a Mermaid diagram type) and a few lines; diagrams in tests or tool folders do not count.
# (Mermaid blocks inside Markdown pages are judged with their page, by its headings.)
_DIAGRAM_SUFFIXES = (".puml", ".plantuml", ".iuml", ".mmd")
_DIAGRAM_START = re.compile(
    r"^[^\S\n]*(@startuml|@startc4|graph\s+(TD|TB|BT|LR|RL)|flowchart\s|sequenceDiagram|classDiagram|erDiagram|stateDiagram|C4(Context|Container|Component|Deployment))",
    re.MULTILINE,
)
MIN_DIAGRAM_LINES = 5


def _diagram_sources(repo: RepoIndex) -> list[Location]:
    found = []
    for path in repo.with_suffix(*_DIAGRAM_SUFFIXES):
        if is_test_path(path) or any(part.startswith(".") for part in path.split("/")[:-1]):
            continue
        text = repo.text(path) or ""
        match = _DIAGRAM_START.search(text)
        if match and sum(1 for line in text.splitlines() if line.strip()) >= MIN_DIAGRAM_LINES:
            found.append(at(path, text.count("\n", 0, match.start()) + 1))
    return found


# Rule `structure document`: headings that describe a system's parts and flow.
_STRUCTURE_HEADING = re.compile(
    r"^#{1,4}\s+.*\b(structure|components?|architecture|pipelines?|workflow|data flow|training|evaluation|deployment|scoring|"
    r"serving|modules?|interfaces?|stages?)\b",
    re.IGNORECASE,
)
MIN_OWN_NAMES = 3  # distinct top-level folders of this repository a structure document must name
_NOT_OWN = frozenset({"docs", "doc", "images", "img", "assets", "data", "tests", "test", "notebooks", "src", "scripts", "license", "readme"})


def _structure_documents(repo: RepoIndex) -> list[Location]:
    """Rule `structure document`: a document under docs/ (or at the root, not a README) whose
    headings describe the system's parts and flow (structure, components, pipelines, training,
    deployment...) and whose text names at least three of this repository's own top-level folders:
    a description of *this* system, where a general guide about MLOps names none of them."""
    own = {p.split("/", 1)[0] for p in repo.files if "/" in p}
    own = {name for name in own if len(name) >= 4 and name.lower().lstrip(".") not in _NOT_OWN}
    if len(own) < MIN_OWN_NAMES:
        return []
    found = []
    for path in repo.with_suffix(".md", ".rst"):
        name = path.rsplit("/", 1)[-1].lower()
        in_docs = bool(_DOCS_FOLDER.search(path))
        if not (in_docs or "/" not in path) or name.startswith(("readme",) + _NOT_DESIGN) or is_test_path(path) or _HOW_TO_NAME.search(name):
            continue
        text = repo.text(path)
        if not text or _prose_chars(text) < MIN_DOC_CHARS:
            continue
        headings = [n for n, line in _heading_lines(text) if _STRUCTURE_HEADING.match(line)]
        named = {o for o in own if re.search(r"(?<![\w.-])" + re.escape(o) + r"(?![\w-])", text)}
        if len(headings) >= 2 and len(named) >= MIN_OWN_NAMES:
            found.append(at(path, headings[0]))
    return found


# Top-level keys of a structured requirements/design spec, by what they record.
_SPEC_GOAL = frozenset({"business_goal", "business_objective", "business_problem", "problem_statement", "goal", "objective", "purpose"})
_SPEC_SUCCESS = frozenset({"success_metrics", "success_criteria", "acceptance_criteria", "kpis", "business_metrics"})
_SPEC_RISK = frozenset({"risk_assessment", "risks", "risk_analysis"})
_SPEC_DESIGN = frozenset({"architecture", "design", "components", "system_design"})
_SPEC_TEXT = re.compile(r"^(business_goal|business_objective|business_problem|problem_statement|goal|objective|purpose)\s*:", re.MULTILINE)
_SPEC_WORDS = ("goal", "objective", "business_problem", "problem_statement", "purpose")  # one is in every _SPEC_TEXT match
MIN_SPEC_WORDS = 8


def _substantive(value: object, *, prose: bool = False) -> bool:
    """Filled in, not a placeholder: a mapping or list with entries, or (for goals) a sentence."""
    if isinstance(value, dict):
        return any(_substantive(v, prose=prose) for v in value.values()) if prose else bool(value)
    if isinstance(value, list):
        return bool(value) and not prose
    if isinstance(value, str):
        return len(value.split()) >= (MIN_SPEC_WORDS if prose else 1) and value.strip().upper() not in ("TODO", "TBD", "N/A")
    return False


def _requirements_specs(repo: RepoIndex) -> list[Location]:
    """Rule `structured requirements spec`: a YAML file whose top level states a business goal (a
    sentence or a filled mapping, so `objective: binary:logistic` of a model config does not count),
    success metrics or acceptance criteria, and a risk assessment or an architecture, all filled in."""
    found = []
    for path, doc in _inhouse.yaml_mappings(repo, _SPEC_WORDS, _SPEC_TEXT):
        data = doc.data  # type: ignore[attr-defined]
        keys = {str(k).lower(): k for k in data}
        goal = [keys[k] for k in keys if k in _SPEC_GOAL and _substantive(data[keys[k]], prose=True)]
        success = [keys[k] for k in keys if k in _SPEC_SUCCESS and _substantive(data[keys[k]])]
        rest = [keys[k] for k in keys if k in _SPEC_RISK | _SPEC_DESIGN and _substantive(data[keys[k]])]
        if goal and success and rest:
            pos = doc.locate((goal[0],))  # type: ignore[attr-defined]
            found.append(at(path, pos[0] if pos else None))
    return found


# Rule `system built here`: design documents are of a system, so the repository must build one:
# code, notebooks, container or infrastructure files outside documentation and site folders. A
# book, an awesome list or a guide site (Markdown, images, the site's own scripts) builds none.
_SYSTEM_SUFFIXES = (".py", ".ipynb", ".r", ".scala", ".java", ".go", ".rs", ".kt", ".sql", ".tf", ".bicep")
_SYSTEM_NAMES = ("dockerfile", "containerfile", "dvc.yaml", "mlproject", "kustomization.yaml", "chart.yaml")
_NOT_SYSTEM_FOLDER = re.compile(
    r"(^|/)(docs?|documentation|site|_site|build|public|assets|static|theme|themes|overrides|node_modules|book|content|chapters?|slides)/",
    re.IGNORECASE,
)
MIN_SYSTEM_FILES = 2


_PLACEHOLDER_LINE = re.compile(r"^(pass|\.\.\.|return( None)?|def \w+\(.*\):|class \w+.*:|[\"']{3}.*|print\(.*\)|echo\b.*|FROM \S+|import \S+|from \S+ import .*)$")
MIN_SUBSTANTIAL_LINES = 3


def _substantial(repo: RepoIndex, path: str) -> bool:
    """More than a placeholder: at least MIN_SUBSTANTIAL_LINES lines that are not comments, blank,
    `pass`, signatures, docstrings, imports or prints (notebooks: any non-empty notebook). Asked as a
    text test (`RepoIndex.passes`): a warm re-collect asks again whether a changed file is still
    substantial, not whether its bytes are the same (`rulememo`)."""
    if path.endswith(".ipynb"):
        return repo.size(path) > 0
    test = _substantial_slashes if path.endswith((".go", ".rs", ".java", ".scala", ".kt", ".bicep")) else _substantial_dashes if path.endswith(".sql") else _substantial_hash
    return repo.passes(path, text_test(test))


def _substantial_text(text: str, comment: str) -> bool:
    """At least MIN_SUBSTANTIAL_LINES non-blank lines not starting with `comment` that are no placeholder line."""
    count = 0
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith(comment) and not _PLACEHOLDER_LINE.match(stripped):
            count += 1
            if count >= MIN_SUBSTANTIAL_LINES:
                return True
    return False


# One text test per comment mark, each a function of the text alone (found again by its name: `index.text_test_named`).
def _substantial_hash(text: str) -> bool:
    return _substantial_text(text, "#")


def _substantial_slashes(text: str) -> bool:
    return _substantial_text(text, "//")


def _substantial_dashes(text: str) -> bool:
    return _substantial_text(text, "--")


def _system_files(repo: RepoIndex) -> list[str]:
    """Rule `system built here`: files that build or run a system (at most MIN_SYSTEM_FILES)."""
    found = []
    for path in repo.files:
        name = path.rsplit("/", 1)[-1].lower()
        if not (name.endswith(_SYSTEM_SUFFIXES) or name in _SYSTEM_NAMES) or _NOT_SYSTEM_FOLDER.search(path):
            continue
        if any(part.startswith(".") for part in path.split("/")[:-1]) or is_test_path(path):
            continue  # .github/, .devcontainer/: tooling around a repository, not its system; tests test one
        if not _substantial(repo, path):
            continue  # empty, `pass`, TODO: a placeholder builds nothing
        found.append(path)
        if len(found) >= MIN_SYSTEM_FILES:
            break
    return found


# Rule `teaching material`: lessons of a course or workshop teach practices, they do not record a
# system's design. A document is a lesson when its headings say so; a repository whose documents
# are mostly lessons is teaching material, and its documents count only as decision or requirements
# records (below). A bare "Objectives" heading is left out: project charters and requirements have one.
_LESSON_PATTERN = r"\b(exercises?|hands[- ]on|learning objectives|takeaways|key takeaways|quiz|assignments?|homework|lab \d|module \d|lesson \d|what you will learn|what you'll learn)\b"
_LESSON_HEADING = re.compile(_LESSON_PATTERN, re.IGNORECASE)
# The same search of a whole document, in its lowercased form, each branch tried only where its first word
# stands (`casewords.CaseBlindBranches`; tested against the pattern): most documents hold none of the words.
_LESSON_TEXT = casewords.CaseBlindBranches((
    r"\bexercises?\b", r"\bhands[- ]on\b", r"\blearning objectives\b", r"\btakeaways\b", r"\bkey takeaways\b", r"\bquiz\b",
    r"\bassignments?\b", r"\bhomework\b", r"\blab \d\b", r"\bmodule \d\b", r"\blesson \d\b", r"\bwhat you will learn\b", r"\bwhat you'll learn\b",
))
MIN_LESSONS = 3
LESSON_SHARE = 0.25


def _teaching_material(repo: RepoIndex) -> tuple[int, int]:
    """(documents that are lessons, documents read) over Markdown/reST files outside tests."""
    docs = [p for p in repo.with_suffix(".md", ".rst") if not is_test_path(p) and not p.rsplit("/", 1)[-1].lower().startswith(_NOT_DESIGN)]
    lessons = sum(
        1 for p in docs
        if _LESSON_TEXT.search(repo.text(p) or "")  # the whole text first: most documents are settled without their headings
        and any(level <= 3 and _LESSON_HEADING.search(title) for _, level, title in repo.doc_headings(p))
    )
    return lessons, len(docs)


def _judged_a_course(repo: RepoIndex) -> bool:
    """The repository-level learning-material verdict is `course` (`lessons`), and the assessor did
    not ask to count learning material (`--count-learning-material`)."""
    return repo.stats.learning.verdict == COURSE and not repo.count_learning_material


# Rule `decision or requirements record`: headings of an ADR (context, options, decision, consequences)
# or of a requirements document (functional/non-functional requirements, acceptance criteria, goals
# and non-goals). Two different ones commit a document to a system, where a book chapter or a guide
# page explains how such documents are written in general.
_RECORD_HEADINGS = {
    "context": re.compile(r"\bcontext( and problem( statement)?)?$|^problem statement", re.IGNORECASE),
    "options": re.compile(r"\b(considered options|options considered|alternatives( considered)?)\b", re.IGNORECASE),
    "decision": re.compile(r"\b(decision( outcome| drivers)?|chosen option)\b", re.IGNORECASE),
    "consequences": re.compile(r"\b(consequences|risks and mitigations|trade-?offs)\b", re.IGNORECASE),
    "status": re.compile(r"^status$", re.IGNORECASE),
    "requirements": re.compile(r"\b(functional requirements|non-functional requirements|acceptance criteria|user stories|success (metrics|criteria))\b", re.IGNORECASE),
    "goals": re.compile(r"\b(goals and non-goals|non-goals|scope|out of scope)\b", re.IGNORECASE),
}
MIN_RECORD_HEADINGS = 2


def _record_document(repo: RepoIndex, path: str) -> bool:
    if path.lower().endswith(_BINARY_DOCS):
        return False
    kinds = {k for _, level, title in _designdocs.headings(repo, path) if level <= 4 for k, pattern in _RECORD_HEADINGS.items() if pattern.search(title.strip())}
    return len(kinds) >= MIN_RECORD_HEADINGS


@detector(
    id="has_design_docs",
    title="Does the repo keep requirements, design or architecture documents or model cards?",
    kind=Kind.design_docs,
    remediation=(
        "Write down what the model is for and how the system is built: a requirements/design document or ADRs "
        "under docs/, and a model card (intended use, data, metrics, limitations) for each released model."
    ),
    confidence=Confidence.medium,
    words=_SPEC_WORDS,
)
def has_design_docs(repo: RepoIndex) -> Observation:
    found = [loc for loc in (_design_document(repo, p) for p in repo.with_suffix(*_DOC_SUFFIXES)) if loc] + _diagram_sources(repo)
    templates, drawn = _pages_by_content(repo, {loc.path for loc in found})
    diagram_files = _diagram_files(repo)
    found += templates + drawn + diagram_files
    specs = _requirements_specs(repo)
    if found or specs:
        system = _system_files(repo)
        course = _judged_a_course(repo)
        lessons, docs = _teaching_material(repo) if system and not course else (0, 0)
        teaching = course or (lessons >= MIN_LESSONS and lessons >= LESSON_SHARE * docs)
        if not system or teaching:
            records = [loc for loc in found if _record_document(repo, loc.path)]
            why = (
                "no system is built in this repository (no code, notebooks, container or infrastructure files outside documentation)"
                if not system else "the repository is learning material (verdict 'course'): its documents are lessons" if course
                else f"{lessons} of {docs} documents are lessons (exercises, objectives, takeaways): teaching material"
            )
            if not records:
                return Observation.failed(
                    f"{len(found) + len(specs)} document(s) about design or architecture, but {why}; only decision or requirements "
                    "records (context, options, decision, consequences; requirements, acceptance criteria) would count, and none is one",
                    (found + specs)[:5],
                )
            return Observation.passed(f"{len(records)} decision or requirements record(s) ({why})", records)
    if not found and not specs:
        structure = _structure_documents(repo)
        if structure:
            return Observation.passed(
                f"{len(structure)} document(s) describing this repository's system: headings on its structure, components "
                "and flow, naming its own folders (no document titled design/architecture)",
                structure, confidence=Confidence.low,
            )
    if found or specs:
        diagrams = sum(1 for loc in found if loc.path.endswith(_DIAGRAM_SUFFIXES)) + len(diagram_files)
        written = len(found) - diagrams - len(templates) - len(drawn)
        parts = [f"{written} design, requirements or model-card document(s)"] if written else []
        if templates:
            kinds = sorted({m[0].name for m in (_designdocs.template_match(repo, loc.path) for loc in templates) if m})
            parts.append(f"{len(templates)} page(s) following a published template ({'; '.join(kinds)})")
        if drawn:
            parts.append(f"{len(drawn)} page(s) drawing the system's structure or flow as a Mermaid/PlantUML diagram")
        if diagrams:
            parts.append(f"{diagrams} diagram source file(s) (PlantUML, Mermaid, draw.io, Excalidraw, Structurizr)")
        if specs:
            parts.append(f"{len(specs)} structured requirements spec(s) (business goal, success metrics, risks/architecture)")
        return Observation.passed("; ".join(parts), found + specs)
    return Observation.failed("no requirements, design or architecture documents, ADRs, model cards or structured requirements specs found (a README alone does not count)")


_LOCK_FILES = {
    "poetry.lock", "uv.lock", "Pipfile.lock", "pdm.lock", "conda-lock.yml", "conda-lock.yaml", "package-lock.json",
    "yarn.lock", "pnpm-lock.yaml", "renv.lock", "Cargo.lock", "pixi.lock", "requirements.lock", "go.sum",
    "Gemfile.lock", "gradle.lockfile", "buildscript-gradle.lockfile", "packages.lock.json",
}
# Rule `a front end's lock` (session 13): npm, Yarn and pnpm locks pin a JavaScript front end or a docs
# site's packages, not what the Python code imports (conventions §4: pins on what the code imports):
# in a repository with Python code they are left out, and its Python dependency files decide.
# Session 15 (poly22): the same holds for every other ecosystem's lock - Bundler's Gemfile.lock, renv's
# renv.lock, Gradle's dependency lockfiles, go.sum, Cargo.lock pin Ruby, R, JVM, Go and Rust packages.
# In a repository without Python code they are the system's pinning (a Rails, R or Kotlin system).
_OTHER_ECOSYSTEM_LOCKS = frozenset({
    "package-lock.json", "yarn.lock", "pnpm-lock.yaml", "Gemfile.lock", "renv.lock", "gradle.lockfile", "buildscript-gradle.lockfile",
    "go.sum", "Cargo.lock", "packages.lock.json",
})
# Session 16 (poly16): NuGet's packages.lock.json ("Enable repeatable package restores using a lock
# file") is .NET's lock. A system is written in another ecosystem when most of its code is: a Rails,
# Go, JVM, .NET or Rust system with a Python helper script is still pinned by its own lock (front-end
# locks keep session 13's rule: a JavaScript front end beside Python code is not the system). And a
# lock that lists no package pins nothing (an npm lock generated in a folder with no dependencies).
_FRONT_END_LOCKS = frozenset({"package-lock.json", "yarn.lock", "pnpm-lock.yaml"})
_SYSTEM_CODE_SUFFIXES = (".rb", ".R", ".r", ".java", ".kt", ".scala", ".groovy", ".go", ".cs", ".fs", ".rs")
_OTHER_CODE_SIDE = re.compile(r"(^|/)(node_modules|vendor|third_party|target|bin|obj|\.gradle)/")


def _written_in_another_ecosystem(repo: RepoIndex, python_code: list[str]) -> bool:
    """More code files of the ecosystems with their own locks (Ruby, R, JVM, Go, .NET, Rust) than of Python."""
    if not python_code:
        return True
    others = 0
    for path in repo.with_suffix(*_SYSTEM_CODE_SUFFIXES):
        if not (is_test_path(path) or _OTHER_CODE_SIDE.search(path)):
            others += 1
            if others > len(python_code):
                return True
    return False


def _build_pinning(repo: RepoIndex) -> list[tuple[str, int, int, list[str]]]:
    """Build files of other ecosystems judged by their fixed versions (session 16: Maven, Gradle, NuGet, Go modules)."""
    found = _jvm.build_pinning(repo) if repo.named(*_jvm.BUILD_FILES) else []
    if repo.with_suffix(*_dotnet.PROJECT_FILES) or repo.named("Directory.Packages.props"):
        found += _dotnet.build_pinning(repo)
    return found + (_golang.build_pinning(repo) if repo.named("go.mod") else [])


_LOCK_PACKAGE_MAPS = ("packages", "dependencies", "Packages")
MAX_JSON_LOCK_BYTES = 8 * 1024 * 1024


def _pins_something(repo: RepoIndex, path: str) -> bool:
    """False for a JSON lock (npm, NuGet, renv) whose package maps are all empty; other locks are kept."""
    if not path.endswith((".json", "renv.lock")) or repo.size(path) > MAX_JSON_LOCK_BYTES:
        return True
    data = repo.json(path)
    if not isinstance(data, dict):
        return True
    maps = [data[key] for key in _LOCK_PACKAGE_MAPS if isinstance(data.get(key), dict)]
    if not maps:
        return True
    if path.endswith("packages.lock.json"):  # NuGet: {"net8.0": {"Package": {...}}} per target framework
        return any(isinstance(frameworks, dict) and frameworks for m in maps for frameworks in m.values())
    return any(key != "" for m in maps for key in m)  # npm's "" entry is the root package itself
_PIN = re.compile(r"^[A-Za-z0-9_.\-\[\], ]+\s*===?\s*[A-Za-z0-9_.+!*\-]+(\s*;.*)?(\s+--hash=.*)?(\s*\\)?$")
_REQ_LINE = re.compile(r"^[A-Za-z0-9]")
# `pip freeze` in a conda environment writes `name @ file:///.../work` for conda-built packages: one
# exact artifact each (the freeze is a lock of that environment), not a range.
_FROZEN_LOCAL = re.compile(r"^[A-Za-z0-9_.\-]+\s*@\s*file://\S+$")


# Rule `compiled requirements`: pip-compile / `uv pip compile` output kept under a `.lock` name no
# tool owns (`requirements/feast.lock`, `requirements.in.lock`) is a requirements file, judged by its
# pins like one; `.lock` files of other tools (dvc.lock, a lock of a package manager listed above)
# are not requirements. Such a file counts when it sits in a dependencies folder, is named for
# requirements, or says in its first lines that pip-compile or uv wrote it.
_COMPILED_HEADER = re.compile(r"pip[- ]compile|uv pip compile", re.IGNORECASE)


def _compiled_locks(repo: RepoIndex) -> list[str]:
    found = []
    for path in repo.with_suffix(".lock"):
        name = path.rsplit("/", 1)[-1]
        if name in _LOCK_FILES or name == "dvc.lock":
            continue
        folder = path.split("/")[-2].lower() if "/" in path else ""
        head = (repo.text(path) or "")[:600]
        if folder in _DEPS_FOLDER or name.lower().startswith(("requirements", "constraints")) or _COMPILED_HEADER.search(head):
            found.append(path)
    return found


def _requirements_pinning(repo: RepoIndex, path: str) -> tuple[int, int, list[str]]:
    pinned, total, loose = 0, 0, []
    for _, line in repo.meaningful_lines(path):
        line = line.split(" #", 1)[0].strip()
        if not _REQ_LINE.match(line) or line.startswith(("-", "--")):
            continue
        total += 1
        if _PIN.match(line) or _URL_PIN.search(line) or _FROZEN_LOCAL.search(line):
            pinned += 1
        elif len(loose) < 5:
            loose.append(line)
    return pinned, total, loose


_CONDA_PIN = re.compile(r"^[A-Za-z0-9_.\-]+\s*(==?\s*[0-9][A-Za-z0-9_.+!\-]*|=\s*[0-9][^\s]*=[^\s]+)$")


def _conda_pinning(repo: RepoIndex, path: str) -> tuple[int, int, list[str]]:
    doc = repo.yaml(path)
    deps = doc.data.get("dependencies") if doc and isinstance(doc.data, dict) else None
    if not isinstance(deps, list):
        return 0, 0, []
    entries: list[str] = []
    for dep in deps:
        if isinstance(dep, str) and dep.strip() != "pip":
            entries.append(dep.strip())
        elif isinstance(dep, dict) and isinstance(dep.get("pip"), list):
            entries += [d.strip() for d in dep["pip"] if isinstance(d, str) and not d.strip().startswith("-")]
    pinned = [e for e in entries if _CONDA_PIN.match(e) or _PIN.match(e)]
    return len(pinned), len(entries), [e for e in entries if e not in pinned][:5]


# Rule `pins of the project's own code`: a dependency file governs the code in its folder and below
# (a file in a `requirements/` or `envs/` folder governs the folder above); each code file is judged
# by the nearest folder holding runtime dependency files. Files named for development, tests, docs or
# lint tools govern nothing, and neither do tool output folders (MLflow runs). A fully pinned helper
# library's requirements do not make a project whose training code sits under loose ones pinned.
_DEV_FILE = re.compile(r"(dev|test|tests|docs?|lint|ci|tox|style|format|type|mypy|build)(\b|[-_.])", re.IGNORECASE)
_DEV_FOLDERS = frozenset({"doc", "docs", "test", "tests", "ci", ".ci", "lint", "dev"})  # requirements kept for these govern nothing
_SIDE_FOLDER = re.compile(r"(^|/)(mlruns|mlartifacts|site-packages|node_modules|\.venv|venv)/")
_DEPS_FOLDER = frozenset({"requirements", "requirements.d", "envs", "env", "conda", "environments", "deps", "dependencies"})
_CODE_SUFFIXES = (".py", ".ipynb")
PINNED_CODE_SHARE = 0.5  # of the code files governed by dependency files: most of them under pinned ones, or the loose files decide


def _scope(path: str) -> str:
    """The folder a dependency file governs ('' for the root)."""
    folders = path.split("/")[:-1]
    if folders and folders[-1].lower() in _DEPS_FOLDER:
        folders = folders[:-1]
    return "/".join(folders)


def _runtime_file(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    stem = name.split(".", 1)[0]
    qualifier = re.sub(r"^(requirements|constraints|environment|conda|env)", "", stem, flags=re.IGNORECASE)
    folder = path.split("/")[-2].lower() if "/" in path else ""
    return not (_DEV_FILE.search(qualifier) or folder in _DEV_FOLDERS) and not _SIDE_FOLDER.search(path)


_PIP_INSTALL = re.compile(r"[!%]\s*pip3? install\s+([^\n\\\\\"']+)")


def _installs_unpinned(repo: RepoIndex, path: str) -> bool:
    """A notebook installing packages itself (`!pip install x`, `%pip install x`) without `==`."""
    text = repo.text(path) or ""
    if "pip" not in text:
        return False
    for match in _PIP_INSTALL.finditer(text):
        names = [w for w in match.group(1).split() if not w.startswith(("-", "{", "$")) and w not in ("pip", "setuptools", "wheel")]
        if any("==" not in w and not w.startswith((".", "/", "git+")) and not w.endswith((".txt", ".whl")) for w in names):
            return True
    return False


def _governing(scopes: dict[str, object], code: str) -> str | None:
    folders = code.split("/")[:-1]
    for depth in range(len(folders), -1, -1):
        scope = "/".join(folders[:depth])
        if scope in scopes:
            return scope
    return None


@detector(
    id="pins_dependencies",
    upkeep=True,
    title="Are the project's dependencies locked or pinned to exact versions?",
    kind=Kind.dependency_pinning,
    remediation=(
        "Lock dependencies (poetry.lock, uv.lock, Pipfile.lock, conda-lock) or pin every requirement exactly "
        "(`pip-compile --generate-hashes`), so training and serving environments can be rebuilt."
    ),
)
def pins_dependencies(repo: RepoIndex) -> Observation:
    code = [p for p in repo.with_suffix(*_CODE_SUFFIXES) if not is_test_path(p) and not _SIDE_FOLDER.search(p)]
    other_system = _written_in_another_ecosystem(repo, code) if code and repo.with_suffix(*_SYSTEM_CODE_SUFFIXES) else not code

    def counts(name: str) -> bool:
        return name not in _OTHER_ECOSYSTEM_LOCKS or not code or (other_system and name not in _FRONT_END_LOCKS)

    locks = [
        p for p in repo.files
        if p.rsplit("/", 1)[-1] in _LOCK_FILES and repo.size(p) > 0 and not _SIDE_FOLDER.search(p)
        and counts(p.rsplit("/", 1)[-1]) and _pins_something(repo, p)
    ]
    builds = _build_pinning(repo) if other_system else []
    requirement_files = repo.glob("**/requirements*.txt", "**/requirements/*.txt", "**/constraints*.txt") + _compiled_locks(repo)
    conda_files = repo.glob("**/environment*.yml", "**/environment*.yaml", "**/conda.yaml", "**/conda.yml", "**/env.yaml", "**/env.yml")
    fully_pinned, partly = [], []
    for path in requirement_files + conda_files:
        if _SIDE_FOLDER.search(path):
            continue
        pinned, total, loose = _conda_pinning(repo, path) if path in conda_files else _requirements_pinning(repo, path)
        if total and pinned == total:
            fully_pinned.append((path, pinned, total, loose))
        elif total:
            partly.append((path, pinned, total, loose))
    # Per scope (folder governed): pinned when it has a lock or a fully pinned runtime file.
    scopes: dict[str, bool] = {}
    for path in locks:
        scopes[_scope(path)] = True
    for path, fixed, total, _ in builds:  # session 16: Maven/Gradle/NuGet/Go builds, for the folder above `gradle/`
        scope = _scope(path).removesuffix("gradle").rstrip("/")
        scopes[scope] = scopes.get(scope, False) or fixed == total
    fixed_builds = [b for b in builds if b[1] == b[2]]
    for path, *_ in fully_pinned + partly:
        if _runtime_file(path):
            scope = _scope(path)
            scopes[scope] = scopes.get(scope, False) or any(path == p for p, *_ in fully_pinned)
    judged: list[tuple[str, str, bool]] = []  # (code file, what governs it, pinned)
    for path in code:
        scope = _governing(scopes, path)
        if scope is not None:
            judged.append((path, scope or ".", scopes[scope]))
        elif path.endswith(".ipynb") and scopes and _installs_unpinned(repo, path):
            judged.append((path, "pip install in notebooks", False))
    if judged and not all(pinned for _, _, pinned in judged):
        pinned_code = sum(1 for _, _, pinned in judged if pinned)
        loose_scopes = sorted({scope for _, scope, pinned in judged if not pinned})
        counted = f"{pinned_code} of {len(judged)} code files are under locked or fully pinned dependency files; loose: {', '.join(loose_scopes[:4])}"
        if pinned_code < PINNED_CODE_SHARE * len(judged):
            loose_files = [f for f in partly if _runtime_file(f[0]) and (_scope(f[0]) or ".") in loose_scopes]
            if not loose_files:
                return Observation.failed(counted, [at(p) for p in locks][:5] + [at(p) for p, *_ in fully_pinned][:5])
            graded = _graded_pinning(loose_files)
            return dataclasses.replace(graded, message=f"{counted}; {graded.message}")
    if locks or fully_pinned or fixed_builds:  # a fully pinned file (e.g. runtime requirements beside loose dev ones) is pinning
        parts = []
        if locks:
            parts.append(f"lock file(s): {', '.join(sorted({p.rsplit('/', 1)[-1] for p in locks}))}")
        if fully_pinned:
            parts.append(f"{len(fully_pinned)} requirements/environment file(s) with every dependency pinned exactly")
        if fixed_builds:
            parts.append(
                f"{len(fixed_builds)} build file(s) (Maven, Gradle, NuGet, Go module) declaring every dependency at a fixed version "
                f"({sum(b[2] for b in fixed_builds)} versions)"
            )
        return Observation.passed(
            "; ".join(parts), [at(p) for p in locks] + [at(p) for p, *_ in fully_pinned] + [at(p) for p, *_ in fixed_builds],
            confidence=Confidence.medium if fixed_builds and not (locks or fully_pinned) else None,
        )
    if partly or builds:
        return _graded_pinning(partly + builds)
    declared = [(path, *_pyproject_pinning(repo, path)) for path in repo.named("pyproject.toml") if not _SIDE_FOLDER.search(path)]
    declared = [d for d in declared if d[2]]
    if declared:
        if all(pinned == total for _, pinned, total, _ in declared):
            return Observation.passed(
                f"{len(declared)} pyproject.toml file(s) pin every runtime dependency exactly", [at(p) for p, *_ in declared],
                confidence=Confidence.medium,
            )
        return _graded_pinning(declared)
    return Observation.failed("no lock file and no exactly pinned requirements file found")


# Rule `pinned in pyproject`: with no lock and no requirements file, an application's pyproject.toml
# whose runtime dependencies (`[project] dependencies`, Poetry's `[tool.poetry.dependencies]`) are
# pinned exactly (`pandas==2.2.3`, a wheel by URL, Poetry's bare `"2.2.3"`) is its pinning; graded
# like a requirements file. Optional and development groups are not the runtime.
_URL_PIN = re.compile(r"@\s*(https?://\S+\.(whl|tar\.gz|zip)|git\+\S+@[0-9a-f]{7,40}\b)")
_POETRY_EXACT = re.compile(r"^=?=?\s*\d[\w.+!\-]*$")


def _pyproject_pinning(repo: RepoIndex, path: str) -> tuple[int, int, list[str]]:
    data = repo.toml(path) or {}
    project = data.get("project") if isinstance(data.get("project"), dict) else {}
    requirements = [r for r in project.get("dependencies") or [] if isinstance(r, str)]
    pinned, total, loose = 0, 0, []
    for requirement in requirements:
        total += 1
        spec = requirement.split(";", 1)[0].strip()
        if _PIN.match(spec) or _URL_PIN.search(spec):
            pinned += 1
        elif len(loose) < 5:
            loose.append(spec)
    tool = data.get("tool") if isinstance(data.get("tool"), dict) else {}
    poetry = tool.get("poetry") if isinstance(tool.get("poetry"), dict) else {}
    for name, version in (poetry.get("dependencies") or {}).items() if isinstance(poetry.get("dependencies"), dict) else ():
        if name.lower() == "python":
            continue
        total += 1
        exact = version.get("version") if isinstance(version, dict) else version
        if isinstance(exact, str) and _POETRY_EXACT.match(exact.strip()):
            pinned += 1
        elif len(loose) < 5:
            loose.append(f"{name} {exact}")
    return pinned, total, loose


MOSTLY_PINNED = 0.8  # at least this share of requirements pinned exactly: partial, below it: fail


def _graded_pinning(files: list[tuple[str, int, int, list[str]]]) -> Observation:
    """Rule `mostly pinned`: with no lock file and no fully pinned file, a requirements/environment
    file with at least 80 % of its requirements pinned exactly makes the finding partial (the
    message counts what is loose over all files); less fails."""
    pinned = sum(p for _, p, _, _ in files)
    total = sum(t for _, _, t, _ in files)
    loose = [name for _, _, _, names in files for name in names][:5]
    unpinned = total - pinned
    shown = ", ".join(loose) + (f" and {unpinned - len(loose)} more" if unpinned > len(loose) else "")
    message = f"{pinned} of {total} requirements pinned exactly; unpinned: {shown} (in {len(files)} requirements/environment file(s); no lock file)"
    where = [at(p) for p, *_ in files]
    best = max(p / t for _, p, t, _ in files)  # the most pinned file: runtime requirements beside loose tool ones
    if best >= MOSTLY_PINNED:
        return Observation.partly(message, where)
    return Observation.failed(message, where)


# Scanners as CI actions, commands and pre-commit hooks: catalogue/security.yaml.
_SECURITY = vocabulary(Kind.security_scanning)
_SCAN_ACTIONS = action_pattern(_SECURITY.ci_actions)
_SCAN_COMMANDS = command_pattern(_SECURITY.ci_commands)
_CI_TEMPLATES = re.compile("|".join(re.escape(t) for t in _SECURITY.ci_templates) or r"(?!x)x", re.IGNORECASE)
_PRECOMMIT_HOOKS = _SECURITY.precommit_hooks
# Rule `scanner from its image` (session 15): `docker run [options] <scanner image>[:tag] ...` (or podman)
# runs the scanner as its command would; the image is named after the run's options.
_SCAN_IMAGE = re.compile(
    r"\b(?:docker|podman)[^\S\n]+(?:container[^\S\n]+)?run\b(?:[^\n;&|\\]|\\\n|\\(?!\n)){0,500}?\s(?:docker\.io/)?("
    + ("|".join(re.escape(i) for i in sorted(_SECURITY.images, key=len, reverse=True)) or r"(?!x)x") + r")(?=[:@\s]|$)",
    re.IGNORECASE,
)
# Rule `shared scanner workflow` (session 15): a job that calls another repository's reusable workflow
# (`uses: org/infra/.github/workflows/codeql-analysis.yml@main`) runs that workflow's jobs on this
# repository; its file cannot be read here, so its name says what it runs: a catalogue scanner's name
# as a word of the file name (`codeql-analysis`, `brakeman`, `dependency-review`, `trivy-scan`).
_REUSABLE_WORKFLOW = re.compile(r"/\.github/workflows/([^/@\s]+)\.ya?ml(?:@|$)")
_SCANNER_WORKFLOW = re.compile(
    r"(?:^|[-_.])(" + "|".join(re.escape(n) for n in _SECURITY.ci_workflows) + r")(?=[-_.]|$)" if _SECURITY.ci_workflows else r"(?!x)x",
    re.IGNORECASE,
)


# Session 16 (role16): SonarQube's documented build-tool entry points - the Maven goal `sonar:sonar`
# (or the plugin's full coordinates) and the Gradle task `sonar` (`sonarqube` before plugin 4) - run
# the analysis inside the build command, after the other goals and options.
_SONAR_BUILD_TOOL = re.compile(
    r"(?:^|[\s;&|(/])(?:mvnw?|mvnw\.cmd)\b[^\n;&|]{0,400}?\s(?:sonar:sonar|[\w.-]*:sonar-maven-plugin(?::[\w.-]+)*:sonar)(?=\s|$)"
    r"|(?:^|[\s;&|(/])gradlew?\b[^\n;&|]{0,400}?\s(?:sonar|sonarqube)(?=\s|$)"
)


def _manual_only(repo: RepoIndex) -> set[str]:
    """GitHub workflows started only by hand (`workflow_dispatch`, or no event): what they run runs on
    nothing automatically (conventions §4: a scanner that runs automatically on the repository)."""
    manual = set()
    for path in repo.glob(".github/workflows/*.yml", ".github/workflows/*.yaml"):
        doc = repo.yaml(path)
        if doc is not None and isinstance(doc.data, dict) and isinstance(doc.data.get("jobs"), dict):
            if workflow_triggers(doc)[0] <= {"workflow_dispatch"}:
                manual.add(path)
    return manual


def _scanner_workflow(uses: str) -> str | None:
    """The scanner a reusable workflow reference is named for (`.../codeql-analysis.yml@main` > `codeql`), if any."""
    called = _REUSABLE_WORKFLOW.search(uses.strip())
    named = _SCANNER_WORKFLOW.search(called.group(1)) if called and not uses.strip().startswith("./") else None
    return named.group(1).lower() if named else None


@detector(
    id="scans_security",
    upkeep=True,
    reads_history=True,  # Dependabot's security updates are seen only as its commits
    title="Does the repo run security scanning (code, dependencies, secrets or containers)?",
    kind=Kind.security_scanning,
    remediation=(
        "Run scanners automatically: CodeQL or bandit for code, pip-audit for dependencies, gitleaks for "
        "secrets, Trivy for images, in CI on every pull request (or as pre-commit hooks at least)."
    ),
)
def scans_security(repo: RepoIndex) -> Observation:
    """Scanners CI runs (actions, commands, and commands reached through task runners or `pre-commit
    run`) pass; scanners only configured as pre-commit hooks nothing in CI runs are partial."""
    found: list[Location] = []
    names: set[str] = set()
    routes: set[str] = set()
    manual = _manual_only(repo)
    by_hand: set[str] = set()
    for path, line, key_path, text in ci_commands(repo):
        key = key_path[-1] if key_path else None
        if path in manual:
            if key in ("uses", "run") and (_SCAN_ACTIONS.match(text.strip()) or _SCAN_COMMANDS.search(text)):
                by_hand.add(path)
            continue
        if key in ("uses", "task") and _SCAN_ACTIONS.match(text.strip()):  # GitHub actions, Azure Pipelines tasks
            found.append(at(path, line))
            names.add(text.split("@")[0])
        elif key == "uses" and (scanner := _scanner_workflow(text)) is not None:
            found.append(at(path, line))
            names.add(f"{scanner} (shared workflow {text.strip().split('@')[0].rsplit('/', 1)[-1]})")
        elif key_path and "include" in key_path and _CI_TEMPLATES.search(text):
            found.append(at(path, line))
            names.add("GitLab security template")
    for name, where in _codescanning.code_scanning_jobs(repo):
        if where.path not in manual:
            found.append(where)
            names.add(name)
    ruff_rules = _ruff_security_rules(repo)
    for command in ci_run_commands(repo):
        if (command.ci_path or command.path) in manual:
            continue
        match = _SCAN_COMMANDS.search(command.text) or _SONAR_BUILD_TOOL.search(command.text)
        hook = command.text.split()[0] if command.via and command.via.startswith("pre-commit") and command.text.split() else None
        scanner = (match.group(1).split()[0] if match.lastindex else "sonarqube (build tool)") if match else hook if hook in _PRECOMMIT_HOOKS else None
        if scanner is None and (image := _SCAN_IMAGE.search(command.text)) is not None:
            scanner = f"{image.group(1).rsplit('/', 1)[-1]} (image {image.group(1)})"
        if scanner is None and ruff_rules and _RUFF.search(command.text):
            scanner = "ruff (flake8-bandit S rules)"
        if scanner is None:
            continue
        found.append(at(command.path, command.line))
        names.add(scanner)
        if command.via:
            found.append(at(command.ci_path, command.ci_line))  # type: ignore[arg-type]
            routes.add(command.via.split(" > ")[0])
    precommit: list[Location] = []
    hooks: set[str] = set()
    for path in repo.named(".pre-commit-config.yaml", ".pre-commit-config.yml"):
        doc = repo.yaml(path)
        repos = doc.data.get("repos") if doc and isinstance(doc.data, dict) else None
        for i, entry in enumerate(repos or []):
            for j, hook_entry in enumerate(entry.get("hooks") or [] if isinstance(entry, dict) else []):
                if isinstance(hook_entry, dict) and (hook_entry.get("id") in _PRECOMMIT_HOOKS or (ruff_rules and hook_entry.get("id") == "ruff")):
                    pos = doc.locate(("repos", i, "hooks", j)) if doc else None
                    precommit.append(at(path, pos[0] if pos else None))
                    hooks.add(str(hook_entry["id"]))
    if found:
        via = f" (through {', '.join(sorted(routes))})" if routes else ""
        return Observation.passed(f"security scanning in CI{via}: {', '.join(sorted(names))}", found + precommit + ruff_rules)
    security_updates = _dependency_bot_security_updates(repo)
    if security_updates is not None:
        return Observation.passed(security_updates, precommit + ruff_rules, confidence=Confidence.low)
    if by_hand and not precommit:
        return Observation.failed(
            f"security scanners only in workflow(s) started by hand (workflow_dispatch): {', '.join(sorted(by_hand))}; "
            "nothing scans the repository automatically",
            [at(p) for p in sorted(by_hand)],
        )
    if precommit:
        return Observation.partly(
            f"{len(hooks)} security scanner(s) configured as pre-commit hooks ({', '.join(sorted(hooks))}), but nothing in CI runs "
            "them (no `pre-commit run` in CI, no pre-commit action, no pre-commit.ci section): they run only where developers "
            "installed the hooks",
            precommit + ruff_rules,
        )
    return Observation.failed("no security scanner configured to run (CodeQL, bandit, pip-audit, gitleaks, Trivy... in CI or pre-commit)")


# Version-update configurations: today's and Dependabot Preview's (its commits are by dependabot-preview[bot]).
DEPENDABOT_CONFIG = (".github/dependabot.yml", ".github/dependabot.yaml", ".dependabot/config.yml", ".dependabot/config.yaml")


def _dependency_bot_security_updates(repo: RepoIndex) -> str | None:
    """Rule `security-update commits`: a dependency-update service that scans for vulnerabilities leaves
    only its commits, no file. Snyk's commits come from its scanning of the repository. GitHub's
    Dependabot security updates are a repository setting: Dependabot commits in a repository without a
    version-update configuration can only be security updates (opened when GitHub's dependency
    scanning finds a vulnerable version); with a configuration they may be version updates, which scan
    nothing. Confidence is low: the service may have been switched off since its last commit."""
    git = repo.git_signals()
    if not git.present:
        return None
    seen = []
    snyk = git.dependency_bots.get("snyk")
    if snyk is not None:
        seen.append(f"{snyk.commits} Snyk commit(s) (latest {snyk.last_commit}): Snyk scans the dependencies and opens fixes")
    dependabot = git.dependency_bots.get("dependabot")
    if dependabot is not None and not any(repo.exists(path) for path in DEPENDABOT_CONFIG):
        seen.append(
            f"{dependabot.commits} Dependabot commit(s) (latest {dependabot.last_commit}) and no version-update configuration "
            f"({DEPENDABOT_CONFIG[0]}): security updates, opened by GitHub's dependency scanning"
        )
    return "security updates in the history: " + "; ".join(seen) if seen else None


_RUFF = re.compile(r"(?:^|[;&|(\s])ruff(?:\s+check)?(?=\s|$)")
_RUFF_SECURITY = re.compile(r"^S\d*$")


def _ruff_security_rules(repo: RepoIndex) -> list[Location]:
    """Rule `ruff security rules`: ruff configured to select the flake8-bandit rules (S, S1xx...)
    in pyproject.toml, ruff.toml or .ruff.toml; they count when ruff runs in CI or as a hook."""
    found = []
    for path in ("pyproject.toml", "ruff.toml", ".ruff.toml"):
        data = repo.toml(path) if repo.exists(path) else None
        if not isinstance(data, dict):
            continue
        section = data.get("tool", {}).get("ruff") if path == "pyproject.toml" and isinstance(data.get("tool"), dict) else data
        if not isinstance(section, dict):
            continue
        tables = [section] + [section["lint"]] if isinstance(section.get("lint"), dict) else [section]
        selected = [r for t in tables for key in ("select", "extend-select") for r in (t.get(key) or []) if isinstance(r, str)]
        ignored = [r for t in tables for key in ("ignore", "extend-ignore") for r in (t.get(key) or []) if isinstance(r, str)]
        if "S" in ignored or "ALL" in ignored:
            continue  # `select = ["ALL"]` with `ignore = [..., "S"]`: the security rules are switched off
        if any(_RUFF_SECURITY.match(r) or r == "ALL" for r in selected):
            lines = (repo.text(path) or "").splitlines()
            line = next((n for n, text in enumerate(lines, start=1) if "select" in text and ('"S' in text or "'S" in text or "ALL" in text)), 1)
            found.append(at(path, line))
    return found


@detector(
    id="has_code_owners",
    upkeep=True,
    title="Does the repo assign owners to its code (CODEOWNERS / OWNERS)?",
    kind=Kind.code_ownership,
    remediation="Add a CODEOWNERS file (root, .github/ or docs/) naming the team or people who must review each area, e.g. `/data/ @data-team`.",
)
def has_code_owners(repo: RepoIndex) -> Observation:
    candidates = [p for p in ("CODEOWNERS", ".github/CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS") if repo.exists(p)]
    rules = []
    for path in candidates:
        for number, line in repo.meaningful_lines(path):
            parts = line.split()
            if line.startswith("[") or len(parts) < 2:
                continue  # GitLab section headers; patterns without owners
            if any(p.startswith("@") or "@" in p for p in parts[1:]):
                rules.append(at(path, number))
    owners_files = []
    # Prow reads OWNERS files from the repository root down: without one at the root, OWNERS files
    # deep in a sub-tree belong to a project copied in (a vendored manifests tree), not to this one.
    owners_paths = repo.named("OWNERS") if repo.exists("OWNERS") else []
    for path in owners_paths:
        doc = repo.yaml(path)
        if doc is not None and isinstance(doc.data, dict) and (doc.data.get("approvers") or doc.data.get("reviewers")):
            owners_files.append(at(path, 1))
    if rules:
        return Observation.passed(f"{len(rules)} ownership rule(s) in {', '.join(candidates)}", rules)
    if owners_files:
        return Observation.passed(f"{len(owners_files)} OWNERS file(s) with approvers (Prow/Kubernetes style)", owners_files, confidence=Confidence.medium)
    if candidates:
        return Observation.failed(f"{', '.join(candidates)} exists but assigns no owners", [at(p) for p in candidates])
    return Observation.failed("no CODEOWNERS file (root, .github/, docs/ or .gitlab/)")
