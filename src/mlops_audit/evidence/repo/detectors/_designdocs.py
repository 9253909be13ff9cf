"""Design documents recognised by what they hold (session 16): the sections of published templates,
diagrams drawn as code inside documents, diagram files by their published format, and headings of
plain-text and org-mode pages. Used by `governance.has_design_docs`.

Sources followed (the templates' own section names):
- Architecture decision records: M. Nygard, "Documenting Architecture Decisions" (2011): Title, Status,
  Context, Decision, Consequences; MADR 4.0 (adr.github.io/madr): Context and Problem Statement, Decision
  Drivers, Considered Options, Decision Outcome, Consequences, Pros and Cons of the Options.
- arc42 (arc42.org template, 12 sections): Introduction and Goals, Architecture Constraints, System Scope
  and Context, Solution Strategy, Building Block View, Runtime View, Deployment View, Cross-cutting
  Concepts, Architecture Decisions, Quality Requirements, Risks and Technical Debt, Glossary.
- C4 model views (c4model.com, Structurizr): System Context, Container, Component, Deployment, Dynamic.
- Design docs and RFCs: Objective / Background / Goals / Non-goals / Proposed design / Alternatives
  considered / Security and privacy considerations / Rollout / Open questions; the Rust RFC template
  (Summary, Motivation, Guide-level and Reference-level explanation, Drawbacks, Rationale and
  alternatives, Prior art, Unresolved questions); PEP sections (Rationale, Specification, Backwards
  Compatibility, Rejected Ideas, Open Issues).
- Model cards: Mitchell et al., "Model Cards for Model Reporting" (2019): Model Details, Intended Use,
  Factors, Metrics, Evaluation Data, Training Data, Quantitative Analyses, Ethical Considerations, Caveats
  and Recommendations; the Hugging Face card template (Uses, Direct Use, Out-of-Scope Use, Bias, Risks,
  and Limitations, Training Details, Evaluation, Environmental Impact).
- Datasheets for datasets: Gebru et al. (2018/2021): Motivation, Composition, Collection Process,
  Preprocessing/cleaning/labeling, Uses, Distribution, Maintenance.
- Diagrams: Mermaid and PlantUML blocks as GitHub/GitLab render them (```mermaid), sphinxcontrib-mermaid
  and -plantuml directives (`.. mermaid::`, `.. uml::`), Asciidoctor Diagram blocks (`[mermaid]`,
  `[plantuml]`), org-babel source blocks; draw.io files (`.drawio`: an `<mxfile>` XML document;
  `.drawio.svg`/`.drawio.png`: the same XML embedded, per draw.io's file-format reference), Excalidraw
  scenes (`"type": "excalidraw"` JSON), Structurizr DSL workspaces (`workspace { model { } views { } }`).

A template counts only when several of its sections are there and filled in (a generated template whose
sections say `[More Information Needed]` records nothing), and never from words that merely share a
section's name ("Decision trees" is not "Decision"): a heading matches a section when its whole title is
that section's name (numbering, emphasis and a trailing colon aside).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mlops_audit.evidence.repo import casewords, places
from mlops_audit.evidence.repo.index import RepoIndex

# ---------------------------------------------------------------------------------------------------
# Headings of every page format read here.

PLAIN_SUFFIXES = (".txt",)
ORG_SUFFIXES = (".org",)
_ORG_HEADING = re.compile(r"^(\*+)[ \t]+(.+?)[ \t]*$")
_NUMBERED = re.compile(r"^\d+(\.\d+)*\.?[ \t]+\S")
MAX_PLAIN_TITLE = 60
MAX_PLAIN_WORDS = 8


def _plain_headings(lines: list[str]) -> list[tuple[int, int, str]]:
    """Title lines of a plain-text page: a short line standing alone between blank lines (or at the
    top), starting with a capital letter or a section number, that does not end a sentence or a list
    item's lead-in. All level 1."""
    found = []
    for index, line in enumerate(lines):
        title = line.strip()
        if not title or len(title) > MAX_PLAIN_TITLE or len(title.split()) > MAX_PLAIN_WORDS:
            continue
        if index > 0 and lines[index - 1].strip():
            continue
        if index + 1 < len(lines) and lines[index + 1].strip():
            continue
        if title[-1] in ".,;:!?" or title[0] in "-*+•>|#`([{":
            continue
        if title[0].isupper() or _NUMBERED.match(title):
            found.append((index + 1, 1, title))
    return found


def headings(repo: RepoIndex, path: str) -> list[tuple[int, int, str]]:
    """(line, level, title) of a page's headings: Markdown, reStructuredText and AsciiDoc through the
    index; org-mode `* Title` lines; a plain-text page's underlined titles and its title lines."""
    lower = path.lower()
    if not lower.endswith(PLAIN_SUFFIXES + ORG_SUFFIXES):
        return repo.doc_headings(path)
    text = repo.text(path)
    if not text:
        return []
    lines = text.splitlines()
    if lower.endswith(ORG_SUFFIXES):
        return [(n, len(m.group(1)), m.group(2)) for n, line in enumerate(lines, start=1) if (m := _ORG_HEADING.match(line))]
    underlined = places.headings(text)
    return underlined or _plain_headings(lines)


# ---------------------------------------------------------------------------------------------------
# Published templates: the name of each section, matched against a heading's whole title.

_NUMBER_PREFIX = re.compile(r"^((section|chapter|part)[ \t]+)?([0-9]+(\.[0-9]+)*|[ivx]+|[a-z])[.):]?[ \t]+(?=\S)", re.IGNORECASE)
_DECORATION = re.compile(r"[*_`~]+|\[optional\]|\(optional\)|<!--.*?-->|\{#[^}]*\}")


MAX_SECTION_TITLE = 120  # longer headings name no template's section (and are not normalised)


def normalised_title(title: str) -> str:
    """A heading's title as the templates name sections: no numbering, emphasis, anchors or trailing
    colon; lowercase; `&` as `and`; single spaces."""
    text = _DECORATION.sub("", title)
    text = _NUMBER_PREFIX.sub("", text.strip())
    text = text.replace("&", " and ").strip().rstrip(":").strip()
    return " ".join(text.lower().split())


@dataclass(frozen=True)
class Template:
    name: str  # what the document is, for the finding's message
    sections: dict[str, tuple[re.Pattern[str], tuple[str, ...]]]  # key -> (name pattern, words every name holds one of)
    minimum: int  # filled sections needed
    distinctive: frozenset[str]  # at least one of these: sections only this kind of document has

    def may_follow(self, lowered: str) -> bool:
        """Whether a lowercased page holds the words of `minimum` sections, a distinctive one among them:
        a page that does not is settled without parsing its headings."""
        present = {key for key, (_, words) in self.sections.items() if any(word in lowered for word in words)}
        return len(present) >= self.minimum and not self.distinctive.isdisjoint(present)


def _sections(**sections: tuple[str, tuple[str, ...]]) -> dict[str, tuple[re.Pattern[str], tuple[str, ...]]]:
    return {key: (re.compile(rf"(?:{pattern})"), words) for key, (pattern, words) in sections.items()}


TEMPLATES = (
    Template(
        "architecture decision record (Nygard, MADR)",
        _sections(
            status=(r"status", ('status',)),
            context=(r"context|context and problem statement|problem statement|context and problem", ('context', 'problem statement')),
            drivers=(r"decision drivers", ('decision drivers',)),
            options=(r"considered options|options considered", ('considered options', 'options considered')),
            decision=(r"decision|decision outcome|chosen option", ('decision', 'chosen option')),
            consequences=(r"consequences|positive consequences|negative consequences", ('consequences',)),
            pros=(r"pros and cons of the options", ('pros and cons',)),
        ),
        3,
        frozenset({"decision", "options"}),
    ),
    Template(
        "arc42 architecture description",
        _sections(
            intro=(r"introduction and goals", ('introduction and goals',)),
            constraints=(r"(architecture |architectural )?constraints", ('constraints',)),
            context=(r"(system |business |technical )?(scope and context|context and scope|context)", ('context',)),
            strategy=(r"solution strategy", ('solution strategy',)),
            blocks=(r"building block view|building blocks", ('building block',)),
            runtime=(r"runtime view", ('runtime view',)),
            deployment=(r"deployment view", ('deployment view',)),
            concepts=(r"cross-?cutting concepts", ('cutting concepts',)),
            decisions=(r"(architecture|architectural|design) decisions", ('decisions',)),
            quality=(r"quality (requirements|goals|scenarios|tree)", ('quality',)),
            risks=(r"risks and technical debts?|technical risks", ('risks',)),
            glossary=(r"glossary", ('glossary',)),
        ),
        3,
        frozenset({"intro", "strategy", "blocks", "runtime", "deployment", "concepts", "quality", "risks"}),
    ),
    Template(
        "C4 model views",
        _sections(
            landscape=(r"system landscape( diagram| view)?", ('system landscape',)),
            context=(r"(system )?context (diagram|view)", ('context',)),
            container=(r"containers? (diagram|view)", ('container',)),
            component=(r"components? (diagram|view)", ('component',)),
            deployment=(r"deployment (diagram|view)", ('deployment',)),
            dynamic=(r"dynamic (diagram|view)", ('dynamic',)),
        ),
        3,
        frozenset({"container", "component"}),
    ),
    Template(
        "design doc or RFC",
        _sections(
            objective=(r"objectives?|purpose|summary|abstract|overview|tl;?dr", ('objective', 'purpose', 'summary', 'abstract', 'overview', 'tl;dr', 'tldr')),
            background=(r"background|context|motivation|problem( statement)?", ('background', 'context', 'motivation', 'problem')),
            goals=(r"goals|requirements", ('goals', 'requirements')),
            non_goals=(r"non-?goals|goals and non-?goals|out of scope", ('goals', 'out of scope')),
            design=((
                r"(proposed|detailed|high-?level|technical) (design|solution|approach|architecture)|design( overview| details)?"
                r"|proposal|proposed changes?|specification|reference-level explanation|guide-level explanation"
            ), ('design', 'proposal', 'proposed', 'detailed', 'high-level', 'highlevel', 'technical', 'specification', 'reference-level', 'guide-level')),
            alternatives=(r"alternatives( considered)?|alternative (solutions|approaches|designs)|rationale( and alternatives)?|rejected (ideas|alternatives)", ('alternative', 'rationale', 'rejected')),
            drawbacks=(r"drawbacks|trade-?offs|risks( and mitigations)?", ('drawbacks', 'trade', 'risks')),
            security=(r"(security|privacy)( and (privacy|security))?( considerations| concerns| implications)?", ('security', 'privacy')),
            rollout=(r"roll-?out( plan)?|migration( plan| strategy)?|backwards? compatibility|launch plan", ('rollout', 'roll-out', 'migration', 'compatibility', 'launch plan')),
            open=(r"open (questions|issues)|unresolved questions|future possibilities", ('open questions', 'open issues', 'unresolved questions', 'future possibilities')),
            prior=(r"prior art", ('prior art',)),
        ),
        4,
        frozenset({"non_goals", "alternatives", "drawbacks", "prior"}),
    ),
    Template(
        "model card (Mitchell et al., Hugging Face)",
        _sections(
            details=(r"model (details|description|overview|summary|architecture)", ('model details', 'model description', 'model overview', 'model summary', 'model architecture')),
            intended=(r"intended uses?( and limitations)?|primary intended uses?|direct use|downstream use", ('intended use', 'direct use', 'downstream use')),
            uses=(r"uses", ('uses',)),
            out_of_scope=(r"out-of-scope uses?( cases)?|out of scope uses?( cases)?|misuse(, malicious use)?( and out-of-scope use)?", ('out-of-scope', 'out of scope', 'misuse')),
            factors=(r"(relevant |evaluation )?factors", ('factors',)),
            metrics=(r"metrics|evaluation( results)?|results|performance( measures)?", ('metrics', 'evaluation', 'results', 'performance')),
            evaluation_data=(r"evaluation data(sets?)?|testing data(, factors and metrics)?", ('evaluation data', 'testing data')),
            training_data=(r"training data(sets?)?|training (details|procedure)", ('training data', 'training details', 'training procedure')),
            quantitative=(r"quantitative analyses", ('quantitative analyses',)),
            ethics=(r"ethical considerations", ('ethical considerations',)),
            caveats=(r"caveats( and recommendations)?|bias, risks,? and limitations|risks and limitations|limitations", ('caveats', 'limitations')),
            environment=(r"environmental impact", ('environmental impact',)),
        ),
        4,
        frozenset({"intended", "out_of_scope", "factors", "quantitative", "ethics"}),
    ),
    Template(
        "datasheet for a dataset (Gebru et al.)",
        _sections(
            motivation=(r"motivation", ('motivation',)),
            composition=(r"composition", ('composition',)),
            collection=(r"(data )?collection( process)?", ('collection',)),
            preprocessing=(r"preprocessing(/cleaning/labell?ing)?|preprocessing, cleaning,? and labell?ing", ('preprocessing',)),
            uses=(r"uses", ('uses',)),
            distribution=(r"distribution", ('distribution',)),
            maintenance=(r"maintenance", ('maintenance',)),
        ),
        4,
        frozenset({"composition", "collection"}),
    ),
)
# Any section name of any template, as a whole title: headings matching none are not matched template by template.
_ANY_SECTION = re.compile("|".join(f"(?:{p.pattern})" for t in TEMPLATES for p, _ in t.sections.values()))

# A section is filled when its text (to the next heading of its level or above) holds a line that is not a
# template's placeholder: `[More Information Needed]`, `{...}`, `<!-- -->`, TODO/TBD.
_PLACEHOLDER = re.compile(r"^(\[[^\]]*\]|\{[^}]*\}|<!--.*-->|<!--.*|.*-->|todo\.?|tbd\.?|n/?a|\.\.\.|…|-+|=+|~+|\*+)$", re.IGNORECASE)


def _filled(lines: list[str], start: int, end: int) -> bool:
    """Whether lines[start:end] (0-based, the heading's own lines excluded) hold content."""
    for line in lines[start:end]:
        stripped = line.strip().lstrip("-*+> ").strip()
        if stripped and not _PLACEHOLDER.match(stripped) and any(c.isalnum() for c in stripped):
            return True
    return False


# Every line `headings` can take for a title, found in one pass: ATX (`#`), AsciiDoc (`=`) and org-mode (`*`)
# title lines, and a line above an underline (Setext, reStructuredText). A superset, for the word prefilter.
_TITLE_LINE = re.compile(r"^(?:#{1,6}|={1,6}|\*{1,6})[ \t]+([^\n]*)$|^([^\n]+)\n[=\-~^\"'#*+:.<>_]{3,}[ \t]*$", re.MULTILINE)


def _title_lines(text: str) -> str:
    return "\n".join(a or b for a, b in _TITLE_LINE.findall(text))


def template_match(repo: RepoIndex, path: str) -> tuple[Template, int] | None:
    """The published template a page follows (with the line of its first matched section): at least
    `minimum` filled sections of one template, one of them distinctive of it."""
    text = repo.text(path)
    if not text:
        return None
    titled = (text if path.lower().endswith(PLAIN_SUFFIXES) else _title_lines(text)).lower()  # titles are matched lowercased
    candidates = [t for t in TEMPLATES if t.may_follow(titled)]
    if not candidates:
        return None
    found = headings(repo, path)
    if len(found) < 3:
        return None
    titles = [normalised_title(title) if len(title) <= MAX_SECTION_TITLE else "" for _, _, title in found]
    titles = [title if title and _ANY_SECTION.fullmatch(title) else "" for title in titles]
    if sum(1 for title in titles if title) < 3:
        return None
    lines = text.splitlines()
    for template in candidates:
        matched: dict[str, int] = {}
        for position, (line, level, _) in enumerate(found):
            key = next((k for k, (pattern, _) in template.sections.items() if pattern.fullmatch(titles[position])), None) if titles[position] else None
            if key is None or key in matched:
                continue
            end = next((n - 1 for n, lvl, _ in found[position + 1 :] if lvl <= level), len(lines))
            if _filled(lines, line, end):
                matched[key] = line
        if len(matched) >= template.minimum and template.distinctive & matched.keys():
            return template, min(matched.values())
    return None


# ---------------------------------------------------------------------------------------------------
# Diagrams drawn as code inside documents.

_BLOCK_OPEN = re.compile(
    r"^[^\S\n]*(?:(?:```|~~~)[^\S\n]*(?:\{[^\S\n]*)?(mermaid|plantuml|puml|uml|c4plantuml)\b"
    r"|\.\.[^\S\n]+(mermaid|uml|plantuml)::"
    r"|\[(mermaid|plantuml)\b[^\]\n]*\]"
    r"|#\+begin_src[^\S\n]+(mermaid|plantuml))",
    re.IGNORECASE | re.MULTILINE,
)
_DIAGRAM_WORDS = ("mermaid", "plantuml", "puml", "uml", "c4plantuml")
# Mermaid diagram kinds that draw structure or flow (a plan, a chart or a journey draws no system).
_MERMAID_STRUCTURE = re.compile(
    r"^(flowchart|graph|sequencediagram|classdiagram|statediagram(-v2)?|erdiagram|c4context|c4container|c4component|c4dynamic|c4deployment"
    r"|architecture-beta|block-beta|requirementdiagram)\b",
    re.IGNORECASE,
)
_MERMAID_OTHER = re.compile(r"^(gantt|pie|gitgraph|journey|quadrantchart|xychart(-beta)?|timeline|sankey(-beta)?|mindmap|kanban|packet-beta|radar-beta)\b", re.IGNORECASE)
_EDGE = re.compile(r"-->|->>|->|==>|-\.->|\.\.>|<\|--|\|\|--|\}o--|--o|--\*|---|\bRel(_[A-Za-z]+)?\(|\bBiRel\(")
MIN_DIAGRAM_EDGES = 3
MAX_BLOCK_LINES = 400


def _block_lines(lines: list[str], opener: int) -> list[str]:
    """The lines of the block opened on lines[opener] (0-based), by the opener's syntax."""
    head = lines[opener].strip()
    body: list[str] = []
    if head.startswith(("```", "~~~")):
        fence = head[:3]
        for line in lines[opener + 1 : opener + 1 + MAX_BLOCK_LINES]:
            if line.strip().startswith(fence):
                break
            body.append(line)
    elif head.startswith(".."):
        for line in lines[opener + 1 : opener + 1 + MAX_BLOCK_LINES]:
            if line.strip() and not line[:1].isspace():
                break
            if not line.strip().startswith(":"):  # directive options
                body.append(line)
    elif head.lower().startswith("#+begin_src"):
        for line in lines[opener + 1 : opener + 1 + MAX_BLOCK_LINES]:
            if line.strip().lower().startswith("#+end_src"):
                break
            body.append(line)
    else:  # AsciiDoc: the delimited block after the attribute line
        start = opener + 1
        if start < len(lines) and lines[start].strip() in ("----", "....", "===="):
            delimiter = lines[start].strip()
            for line in lines[start + 1 : start + 1 + MAX_BLOCK_LINES]:
                if line.strip() == delimiter:
                    break
                body.append(line)
    return body


def _draws_structure(body: list[str]) -> bool:
    """A diagram of at least MIN_DIAGRAM_EDGES connections between parts, not a chart or a plan."""
    content = [line.strip() for line in body if line.strip() and not line.strip().startswith(("%%", "'", "title ", "skinparam"))]
    if not content:
        return False
    first = content[0]
    if first.lower().startswith("@start"):
        if not first.lower().startswith(("@startuml", "@startc4")):
            return False  # @startgantt, @startmindmap, @startjson...
    elif _MERMAID_OTHER.match(first) or (not _MERMAID_STRUCTURE.match(first) and not first.startswith("---")):
        return False
    return sum(1 for line in content if _EDGE.search(line)) >= MIN_DIAGRAM_EDGES


def embedded_diagram(repo: RepoIndex, path: str) -> int | None:
    """The line of the first diagram of the system's structure or flow drawn as code in a page, if any."""
    text = repo.text(path)
    if not text or not casewords.may_hold(text, _DIAGRAM_WORDS):
        return None
    lines: list[str] | None = None
    counted, opener = 0, 0  # line numbers are counted on from the last opener: one pass over the text
    for match in _BLOCK_OPEN.finditer(text):
        if lines is None:
            lines = text.splitlines()
        opener += text.count("\n", counted, match.start())
        counted = match.start()
        if _draws_structure(_block_lines(lines, opener)):
            return opener + 1
    return None


# ---------------------------------------------------------------------------------------------------
# Diagram files by their published format.

DIAGRAM_FILE_SUFFIXES = (
    ".drawio", ".dio", ".drawio.svg", ".drawio.png", ".drawio.xml", ".excalidraw", ".excalidraw.json", ".excalidraw.svg", ".excalidraw.png", ".dsl",
)
MIN_DIAGRAM_BYTES = 200
MIN_EXCALIDRAW_ELEMENTS = 3
_EXCALIDRAW_SCENE = re.compile(rb'"type"\s*:\s*"excalidraw"')
_EXCALIDRAW_ELEMENT = re.compile(rb'"type"\s*:\s*"(rectangle|ellipse|diamond|arrow|line|text|freedraw|image|frame)"')
_STRUCTURIZR_WORKSPACE = re.compile(rb"\bworkspace\b[^{\n]{0,200}\{")  # bounded: a line of many `workspace` words stays linear
_STRUCTURIZR_MODEL = re.compile(rb"\bmodel\s*\{")
_STRUCTURIZR_ELEMENT = re.compile(rb"=\s*(person|softwareSystem|container|component)\b")


def diagram_file(repo: RepoIndex, path: str) -> bool:
    """Whether a file of a diagram tool's format holds a drawn diagram (its format's marker, and content)."""
    lower = path.lower()
    data = repo.read_bytes(path)
    if not data or len(data) < MIN_DIAGRAM_BYTES:
        return False
    if ".drawio" in lower or lower.endswith(".dio"):
        return b"mxfile" in data or b"mxGraphModel" in data
    if lower.endswith((".excalidraw.svg", ".excalidraw.png")):
        return b"excalidraw" in data
    if ".excalidraw" in lower:
        return bool(_EXCALIDRAW_SCENE.search(data)) and len(_EXCALIDRAW_ELEMENT.findall(data)) >= MIN_EXCALIDRAW_ELEMENTS
    if lower.endswith(".dsl"):
        return bool(_STRUCTURIZR_WORKSPACE.search(data) and _STRUCTURIZR_MODEL.search(data) and _STRUCTURIZR_ELEMENT.search(data))
    return False
