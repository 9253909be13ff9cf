"""Learning material that holds full projects: an exercise is not the team's system.

`lessons` leaves out the code of lesson series and of teaching repositories with no project file.
What it kept by design - any folder holding a full project file - let a workshop's reference solution
with its own Dockerfile, a book chapter's example service or a course repository's exercises pass as
a team's practice. The rules here judge those, from the repository's structure and its own words
(never from a list of repositories); each takes *every* file of what it judges (code, Dockerfiles,
manifests, dependency lists, CI), except documents (Markdown, reST, text, PDF, images), which stay
for a reader and for the documentation checks:

3. **A reference solution beside its skeleton**: a folder named `solution(s)` (`solution-*`,
   `reference-solution`, `answers`...) at least half of whose code files (and at least 2) mirror,
   path for path, code outside it: from its parent (`solutions/src/pkg/train.py` beside
   `src/pkg/train.py`) or from a starter folder beside it (`ex1/solution/train.py` beside
   `ex1/starter/train.py`; `starter`, `skeleton`, `exercise`, `begin`, `todo`, `student`...). The
   solution and the mirrored top folders of the skeleton (or the whole starter folder) are an exercise.
4. **Folders named as course material**: a folder whose name ends with the word `course`, `courses`
   or `coursework`, or with one of them and material words (`terraform_course`, `W&B_MLOps_Course`,
   `course-materials`; not `course_stats`); a `lessons/` folder is left to the lesson-series rule.
6. **A workshop around its reference solution** (repository level): the README presents the
   repository as teaching material (below) and a top-level `exercises/` (`labs`, `lessons`,
   `assignments`, `homework`, `tasks`) folder holds a numbered series of at least 3 exercises (bare
   numbers count here: `02-train-model.ipynb`, `05-create-api.md`). The whole repository is the
   workshop: its top-level package, Dockerfile and CI are the exercises' solution and demo.
8. **Course materials with only lists of packages** (repository level): the README says in so many
   words that the repository holds course, workshop or book material (`code materials for the ...
   course`, `companion code`, `code repository for <book>`, `welcome to this tutorial`...), and no
   build, container or CI file exists (requirements lists only). All of it.

9. **A teaching repository** (repository level, session 7 second round): the README says in so many
   words that the repository is teaching material (a strong phrase, or a title naming a course,
   workshop, tutorial or guide that the text then speaks of again - `this course`, `the workshop`,
   `den Workshop` - or that addresses its learners) and it holds code (MIN_TAUGHT_CODE code files):
   all of it is lessons, exercises and demos, whatever their shape. Kept: capstone and final-project
   folders, the root CI and the root package lists and lock files (the repository's own upkeep).
10. **A project template's placeholder tree**: a top folder named by a template variable
   (`{{ cookiecutter.repo_name }}`): its containers, manifests, CI and package lists are what a
   generated project starts from. Its placeholder code stays (the in-house rules read Jinja-templated
   Python as such, and a template's own tests bake it).

And two extensions of `lessons`' rule 1, used from there (`teaching_readme` below):

5. In a repository whose README presents it as teaching material, the full projects inside a lesson
   series (a chapter's example service with its Dockerfile, an example package with `setup.py`) are
   exercises too, unless named as a capstone or final project; and so are a series of small projects
   (labs each with requirements). A series mostly named as a book's chapters or a course's lectures
   is judged so whatever the README says (`lessons._TAUGHT_BY_NAME`).
7. In such a repository, lesson-named folders (`week-2`, `hw1`, `assignment_3`) are lessons even
   when fewer than 3 (coursework handed in one week at a time).

**Presents itself as teaching material** (`teaching_readme`): the root README's opening (its first
1,500 characters of text, tags and images dropped) names the repository as course, workshop,
tutorial, lab or book material: a phrase such as `materials for`, `companion code`, `code repository
for`, `code for the ... book`, `accompanies the ... course`, `assignments for the ... course`, `my
notes ... while learning`, `welcome to the ... workshop`, `hands-on workshop`, `workshop notebooks`,
`published by` (strong: rule 8 needs one), or, weaker, a title with one of those words or the words
`this course` / `this workshop`. A repository that says it
is a project made in a course (`course project`, `final project`, `capstone`, `thesis`) is a project:
its README never counts as teaching material - unless it said first what it is ("This repository contains a
skeleton app for your next project ... included in this project", "This project is a starting pack for ...":
session 16).

**Self-description by genre** (session 16): vendor samples, demos, showcases, getting-started repositories
and templates describe themselves with the repository as the subject, each genre in its own words: "This
repo contains examples of ...", "The <name> repository demonstrates ...", "We use this repository to
demonstrate / to explain ...", "This project is a showcase of ...", "A simple MLOps demo with ..." (the
one-line description under the title), "a repository for use in <tool> Get Started", "It is a step-by-step
introduction to ...", "a starting pack for ... projects", "Use this repository as a template", "create
your own pipelines". A team's "see the live demo", "demo video", "suitable as a demo", "Furthermore, this
repository includes examples of ..." or "a scaffold for our platform" is no such claim. Each is one README
claim of its family (`samples`, `material`, `template`); the repository is taken whole only with a second
independent sign (`lessons`). Session 17 adds, by the same mechanism: "In this ... demo, you'll ...", a
repository that is or provides a "reference architecture" (samples), "materials associated with the Lab
...", "This repo will guide you through ..." (material), "In this course, we'll ..." (learners).

**A project generator's own files** (session 17, `generator_templates`: Cookiecutter, Copier, Databricks
bundle templates, `dotnet new`, Backstage, Yeoman, by each one's documented layout) and **a blog at the
root** by Jekyll's convention (`blog_site`): the template tree's non-code files are taken as rule 10 takes
a placeholder tree; a generator's manifest or a blog at the root is a structural sign (`lessons`). Session 18:
**a top level numbered as a sequence of stages** (`numbered_top_level`: lesson folders or notebooks numbered in a
row from 0 or 1 at the root), a structural sign beside the README's claim or the name (`lessons`).

Pure: the listing, the README's text and a generator manifest's text in, the decision out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from dataclasses import dataclass

from mlops_audit.evidence.repo.textdecode import decode_text
from mlops_audit.evidence.repo.thirdparty import CODE_SUFFIXES, ci_folder_owner, is_project_file, under
from mlops_audit.evidence.repo.thirdparty import parent as folder_of

OPENING_CHARS = 1500  # how much of the README's text (tags and images dropped) is its opening
MIN_MIRRORED = 2  # code files a solution must share with its skeleton

_DOCUMENT_SUFFIXES = (".md", ".markdown", ".rst", ".txt", ".pdf", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".html", ".htm")
_SOLUTION_NAME = re.compile(r"^(?:solutions?|solution[-_ ][\w-]*|reference[-_ ]solutions?|answers?|completed|finished)\Z", re.IGNORECASE)
_STARTER_NAME = re.compile(r"^(?:starter|start|skeleton|exercises?|begin|initial|todo|student|problems?|questions?|tasks?)(?:[-_ ][\w-]*)?\Z", re.IGNORECASE)
_COURSE_FOLDER_WORDS = frozenset({"course", "courses", "coursework"})
_MATERIAL_WORDS = frozenset({"material", "materials", "notes", "code", "exercises", "labs", "files", "content", "work", "notebooks", "solutions"})
_EXERCISE_FOLDER = re.compile(r"^(?:exercises?|labs?|lessons?|assignments?|homeworks?|tasks)\Z", re.IGNORECASE)
_NUMBERED = re.compile(r"^0*(\d{1,3})(?!\d)[-_ .(]")
# A list of packages (not a build): requirements and constraints lists, conda environments.
_PACKAGE_LIST = re.compile(r"(?:requirements|constraints)[^/]*\.(?:txt|in)\Z|(?:environment|conda)\.ya?ml\Z", re.IGNORECASE)
# Code files that make a teaching repository's code what it teaches (rule 9). 1 since session 12: a
# README that says in so many words that the repository is a workshop or course makes it material with
# no code (rule 11) and with 3 code files (rule 9) alike; a hands-on workshop of one notebook and its
# sample manifests fell between the two (its manifests passed as a deployment).
MIN_TAUGHT_CODE = 1
_ROOT_CI = frozenset({"Jenkinsfile", ".gitlab-ci.yml", "azure-pipelines.yml", ".travis.yml", "bitbucket-pipelines.yml", "cloudbuild.yaml", "cloudbuild.yml"})
# Root folders where CI tools read their definitions besides `.github/` (`ciconfig`: Azure Pipelines,
# Buildkite; session 12 - a vendor sample's pull-request pipeline in `.pipelines/` checks the sample itself).
_ROOT_CI_FOLDERS = (".pipelines/", ".azure-pipelines/", ".azuredevops/", ".buildkite/")
_LOCK_FILES = frozenset({"uv.lock", "poetry.lock", "Pipfile", "Pipfile.lock", "pdm.lock", "conda-lock.yml", "pixi.lock", "requirements.lock"})
# Who reviews the repository (conventions §4: a fact of the repository, in decoys and projects alike):
# its code-owner files where the platforms read them (`.github/` is upkeep with the root CI).
_ROOT_OWNERS = frozenset({"CODEOWNERS", "OWNERS", "OWNERS_ALIASES", "docs/CODEOWNERS", ".gitlab/CODEOWNERS"})
_CAPSTONE = re.compile(r"capstone|(?:final|midterm)[-_ ]?project", re.IGNORECASE)
_TEMPLATE_FOLDER = re.compile(r"^\{\{\s*cookiecutter\.\w+\s*\}\}\Z")
README_NAME = re.compile(r"readme(?:\.(?:md|rst|txt|markdown))?\Z", re.IGNORECASE)  # a README file's name

_TEACHING = (
    r"(?:(?<![a-z])(?:courses?|workshops?|tutorials?|lessons?|lectures?|labs?|exercises|assignments?|homeworks?|seminars?|bootcamp|"
    r"nanodegree|mooc|book|textbook|curriculum|syllabus|class)(?![a-z])|课程|教程|讲义|教材|講座|演習|学習用|ハンズオン|チュートリアル)"
)
# A project made in a course is a project, whatever else its README says.
_PROJECT_OF_A_COURSE = re.compile(
    r"\b(?:course|final|capstone|graduation|semester|term|team|student|group|class)[-_ ]projects?\b|\bcapstone\b|\bthesis\b|\bdissertation\b"
    r"|\b(?:this|our|my) project\b"
    # the same in other languages: a course's final project, a thesis
    r"|\bproyecto (?:final|del curso|de curso|integrador)\b|\btrabajo (?:final|fin de)\b|\btesis\b|\bprojeto final\b"
    r"|\bprojet (?:final|de fin)\b|\bm[ée]moire\b|\babschlussprojekt\b|\b(?:master|bachelor)arbeit\b|毕业设计|课程设计",
    re.IGNORECASE,
)
# "The course consists of modules, workshops, and a final project": a project the course asks of its
# learners, listed among its parts, describes the course; "This repository is a capstone project"
# still says the repository is one.
_COURSE_ASKS = re.compile(r"(?:,|\b(?:and|with|plus|includes?|including|ends with|followed by))\s+(?:a|an|one)\s+\Z", re.IGNORECASE)


# A collection asks about its README's opening up to six times (`lessons`' rules, the classifier's features,
# `readme_signs`): each search of its text is made once per text (the answers depend on the text alone).
_OPENINGS_KEPT = 8


@lru_cache(maxsize=_OPENINGS_KEPT)
def _says_it_is_a_project(text: str) -> bool:
    """The README says the repository is a project made in a course, or calls it "this / our / my
    project" before it says what it is (session 16: a template's or a sample's README says first that it
    is one - "This repository contains a skeleton app for your next project" - and then calls itself
    "this project" too; the first word on what the repository is decides how the later ones read)."""
    claim = _WHAT_IT_IS_PHRASES.search(text)
    for m in _PROJECT_OF_A_COURSE.finditer(text):
        if _COURSE_ASKS.search(text[max(0, m.start() - 24):m.start()]):
            continue
        if _THIS_PROJECT.fullmatch(m.group(0)) and claim is not None and (claim.start() < m.start() or _is_what_it_is(text, m.start(), m.end())):
            continue
        return True
    return False


_THIS_PROJECT = re.compile(r"(?:this|our|my) project", re.IGNORECASE)
_IS_A = re.compile(r"\s+is\s+(?:a|an)\s", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?;,\n]")  # up to the end of the clause: "this project is a classifier; course material ..." says no more


def _is_what_it_is(text: str, start: int, end: int) -> bool:
    """"This project is a starting pack for ...": the sentence that opens on "this project" (text[start:end])
    says what it is."""
    if _IS_A.match(text, end) is None:
        return False
    stop = _SENTENCE_END.search(text, end)
    return _WHAT_IT_IS_PHRASES.search(text[start: stop.start() if stop else len(text)]) is not None


# A title naming the repository examples or samples ("Feature store samples") or an example project
# ("Example MLflow project", "A sample Vertex pipeline"): a tool's or vendor's example repository names
# itself so (session 16; a weak sign, as a title word is). Not "Sample Size Estimator".
_TITLE = re.compile(
    _TEACHING + r"|(?<![a-z])(?:examples|samples)(?![a-z])"
    r"|^(?:an?\s)?(?:example|sample)\s(?:[\w.-]+\s){0,2}?(?:project|app|application|repository|repo|code|pipeline|service|deployment)s?\b",
    re.IGNORECASE,
)
# A title naming what the repository is (course, workshop...) becomes a strong sign when the text then
# speaks of it again ("this course", "the workshop", "den Workshop") or addresses its learners.
# Not `class` ("a multi-class model ... the class of an image") nor `lab` ("XYZ Labs ... the lab's models").
_TITLE_NOUNS = re.compile(r"(?<![a-z])(courses?|workshops?|tutorials?|bootcamp|lectures?|kurs|guide)(?![a-z])", re.IGNORECASE)
# The title noun names what the repository is when nothing but a material word or a preposition
# follows it ("MLOps Course", "Course: 0 to production", "Workshop Materials for MLflow", "A guide to
# MLOps"), not a domain it qualifies ("Course Recommender", "Guide Dog Detection").
_NOUN_ENDS = re.compile(
    r"\s*(?:\Z|[^\w\s]|\d|(?:to|on|for|about|in|of|with|from|materials?|notes|code|series|repository|repo)\b)", re.IGNORECASE
)
# What a system does with the noun's thing (session 12): "Book Recommendation System", "Course-Recommender",
# "Book Store API" - the title noun is the system's domain (a batch-19 book recommender's title,
# name and README words made it the most course-like project and raised the threshold 0.81 -> 0.95).
_DOMAIN_NEXT = re.compile(
    r"[-_ ](?:recommend\w{0,10}|system|platform|service|api|app|application|classif\w{0,10}|detect\w{0,10}|predict\w{0,10}|search|store|shop|"
    r"management|manager|tracker|analy[sz]\w{0,10}|generat\w{0,10}|summari[sz]\w{0,10}|retrieval|chatbot|assistant|reviews?|ratings?|sales|booking|inventory)\b",
    re.IGNORECASE,
)


def noun_names_the_repository(title: str, end: int) -> bool:
    """Whether a teaching noun of a README's title that ends at `end` names what the repository is
    rather than the domain of a system ("Book Recommendation System", "Course-Recommender", "Book
    Store API": the next word says what the system does with it)."""
    return _DOMAIN_NEXT.match(title, end) is None


# A phrase too generic to make a whole repository teaching material by itself (rule 9): a project's
# README may point to "the tutorial notebooks" in its examples/ folder.
_GENERIC_MATERIAL = re.compile(r"(?:course|workshop|tutorial|class|lecture|book)['’]?s? (?:repository|repo|code|notebooks|exercises|labs)", re.IGNORECASE)
_LEARNER_ADDRESS = re.compile(
    r"\bwhat you(?:'ll|’ll| will) learn\b|\byou will learn\b|\bby (?:completing|the end of|taking) this\b"
    r"|\b(?:designed|meant|intended) to help\b[^.\n]{0,80}?\b(?:learn|understand)"
    r"|\b(?:participants|learners|attendees|students)\b",
    re.IGNORECASE,
)
# Media a repository's code can accompany (session 12): a blog post or series, an article, videos, a
# playlist, a talk or webinar. Code written FOR a piece of media shows its readers or viewers how a
# practice looks (conventions §2: tutorial series); a project that merely has a blog post or a demo
# video about it does not say its code is FOR one ("a blog post based on this project", "Video demo").
_MEDIA = r"(?:youtube videos?|blog[- ]?posts?|blog|articles?|videos?|youtube|playlists?|webinars?|talks?|livestreams?|screencasts?|episodes?|podcasts?)"
_MEDIA_SERIES = r"(?:(?:blog[- ]?posts?|blog|video|youtube|article|post) ?series|series of (?:blog |youtube )?(?:posts|articles|videos|blog[- ]?posts)|playlist)"
# The phrases by FAMILY (session 13): each family is one claim a README makes about what the repository
# is. One claim is one sign; a whole-repository verdict needs two independent signs (`lessons`), and
# two claims of different families count as two (a team's README may say one by accident: "you'll
# learn" in a project's walkthrough; hardly two).
_PHRASE_FAMILIES: tuple[tuple[str, str], ...] = (
    # Companion code of media: "the source code for the E2E MLOps blogpost series", "this repository is
    # part of the playlist on YouTube", "each folder corresponds to a YouTube video", "code to accompany
    # my article", "the repository for my series on Vertex AI on my blog".
    ("media", r"\b(?:source code|code|repository|repo|notebooks?|examples|scripts|samples) (?:is |are )?(?:for|of|from|accompanying|behind) "
              r"(?:the |a |an |my |our |this )?[\w .:&'-]{0,60}?\b" + _MEDIA_SERIES + r"\b"),
    ("media", r"\bpart of (?:a |the |my |our )?[\w .:&'-]{0,40}?\b" + _MEDIA_SERIES + r"\b"),
    ("media", r"\b(?:each|every) (?:folder|directory|notebook|sub-?folder) (?:corresponds to|accompanies|goes with|belongs to|is for) [\w .:&'-]{0,30}?\b" + _MEDIA + r"\b"),
    ("media", r"\b(?:code|repository|repo|notebooks?) (?:to |that )?accompan(?:y|ies|ying) (?:the |a |an |my |our |this )?[\w .:&'-]{0,60}?\b" + _MEDIA + r"\b"),
    ("media", r"\b(?:repository|repo|code) for my [\w .:&'-]{0,40}?\bseries\b[^.\n]{0,60}?\bon (?:my |the )?(?:blog|youtube|channel|medium)\b"),
    # Addressed to learners (session 12): "In this demo, you'll learn", "What you will learn" - a
    # project's README says what it does, not what its reader will learn.
    ("learners", r"\byou(?:'ll|’ll| will) learn\b"),
    # A vendor's or author's sample code (session 12): "This repo provides some code samples for ...",
    # "This repository includes sample code how to interact with ...".
    ("samples", r"\b(?:repository|repo)\b[^.\n]{0,20}?\b(?:provides|contains|compiles|maintains|holds|offers|includes|collects)\b[^.\n]{0,60}?\b(?:code samples|sample code|example code)\b"),
    # A template or starter kit addressing the project its reader will start from it (session 12, conventions
    # §2: templates are material): "a starting point for your own projects", "speed up your next machine
    # learning project", "a production-ready starter template"; Microsoft's samples-browser metadata
    # (`page_type: sample` in the README's front matter). Not "in your own projects" (a library's README).
    ("template", r"\bstarting point for (?:your |new |any |future )?[\w -]{0,30}?projects?\b|\byour next [\w -]{0,30}?projects?\b|\bstarter (?:template|kit)s?\b"),
    # Session 16, by genre (GitHub template repositories, starter packs): "a starting pack for MLOps projects",
    # "Use this repository as a template", GitHub's "Use this template" button, "This repo is a boilerplate for ...".
    # Not "a skeleton / scaffold for our platform": a team calls the first code of its own system so.
    ("template", r"\bstart(?:ing|er)\s(?:pack|kit|point)s?\sfor\b|\buse\sthis\s(?:repository|repo|project|package|code\s?base)\sas\s(?:a\s|the\s|your\s)?(?:template|starting\spoint|boilerplate|base)\b"
                 r"|\buse\sthis\stemplate\b|\b(?:this|the)\s(?:repository|repo|project)\sis\s(?:a|an)\s(?:[\w()&-]+\s){0,4}?(?:template|boilerplate|starter)\b"
                 r"|\b(?:repository|repo)\b[^.\n]{0,20}?\b(?:provides|contains|offers|includes|holds)\s(?:a|an)\s(?:[\w-]+\s){0,3}?(?:template|boilerplate)\b"
                 # what the reader builds from it, in the plural (components, a scaffold): "easier to build your own pipelines"
                 r"|\b(?:build|create|start|develop)\s(?:[\w-]+\s)?your\sown\s(?:[\w-]+\s){0,2}?(?:projects|pipelines|solutions|applications|services|systems)\b"),
    # A project generator naming itself (session 15): "A cookiecutter template for analytical projects",
    # "this comprehensive Copier template"; not a generated project's "based on the cookiecutter data
    # science project template" footer.
    ("template", r"\b(?:a|an|this|our)\s+(?:[\w-]+\s+){0,3}?(?:cookie-?cutter|copier|cruft)\s+templates?\b"),
    # A vendor's "solution accelerator": a repository published for customers to start their own solution from.
    ("template", r"\bsolution accelerators?\b"),
    ("samples", r"\bpage_type: ?sample\b"),
    # An example collection or a demo naming itself (session 15): "a curated collection of data science
    # articles", "a collection of Python notebooks demonstrating ...", and a paragraph that opens on the
    # repository as an example ("This example implements the end-to-end MLOps process", "This sample
    # demonstrates how to ..."). Conventions §2: a tool's or vendor's examples and demos are material.
    ("samples", r"\bcollection of (?:[\w-]+ ){0,4}?(?:examples|samples|articles|notebooks|tutorials|recipes|demos|snippets)\b"),
    ("samples", r"(?:^|\n)(?:this|the) (?:example|sample|demo|demonstration)s? (?:implements|shows|demonstrates|illustrates|walks|covers|is)\b"),
    # Session 16, by genre (vendor sample and demo repositories - aws-samples, Azure-Samples, GoogleCloudPlatform
    # - describe themselves with the repository as the subject, opening a sentence: "This repo contains examples
    # of ...", "The <name> repository demonstrates ...", "We use this repository to demonstrate ..." (not "Furthermore,
    # this repository includes examples of": a project listing what else it holds); a showcase or a demo
    # names itself in its one-line description: "A simple MLOps demo with ...", "This project is a
    # showcase of ..."). The subject is the repository itself, never a team's "see the live demo", "demo video".
    ("samples", r"(?:^|[.!?:]\s|\n)(?:this|the|our|my)\s(?:[\w./-]+\s)?(?:repository|repo)\s(?:provides|contains|has|holds|offers|includes|collects|hosts|gathers)\s(?:[\w-]+\s){0,3}?"
                r"(?:examples|samples|demos|demonstrations|showcases)\s(?:of|for|showing|that|to|on|how|using|demonstrating|illustrating)\b"),
    ("samples", r"(?:^|[.!?:]\s|\n)(?:this|the)\s(?:[\w./-]+\s)?(?:repository|repo)\s(?:demonstrates|showcases|illustrates)\b"),
    ("samples", r"\b(?:we|i)\suse\s(?:the\scode\s(?:in|of)\s)?(?:this|the)\s(?:repository|repo)\sto\s(?:demonstrate|showcase|illustrate|show)\b"
                r"|\b(?:this|the)\s(?:repository|repo)\s(?:is|was)\s(?:used|meant|intended)\sto\s(?:demonstrate|showcase|illustrate)\b"),
    ("samples", r"\b(?:this|the)\s(?:repository|repo|project)\sis\s(?:a|an)\s(?:[^\s.!?]{1,40}\s){0,5}?(?:demo|demonstration|showcase|proof[- ]of[- ]concept|reference\s(?:implementation|architecture))\b"
                r"|(?:^|\n)(?:a|an)\s(?:[^\s.!?]{1,40}\s){0,6}?(?:demo|demonstration|showcase)\s(?:of|for|with|on|showing|that|to|using)\b"),
    # Session 17, by genre with the repository as the subject: a reference architecture a vendor publishes ("This
    # repo provides a reference architecture for ..."; not a team's "follows the AWS reference architecture"), and a
    # demo or sample that names itself to its reader ("In this comprehensive data demo, you'll learn ...", "In
    # this short sample we will deploy ..."; not "In this project, you'll find the API").
    ("samples", r"\b(?:this|the)\s(?:repository|repo)\s(?:provides|contains|offers|includes|holds)\s(?:a|an)\s(?:[\w-]+\s){0,3}?reference\sarchitecture\b"
                r"|\bin\sthis\s(?:[\w-]+\s){0,3}?(?:demo|demonstration|sample|example)s?,?\s(?:you|we)(?:'ll|’ll|\swill)\b"),
    # A getting-started repository (DVC's, Kedro's, a tool's quick start): "an auto-generated repository for use
    # in DVC Get Started", "It is a step-by-step quick introduction into ...": material of a guide.
    ("material", r"\b(?:repository|repo|project|example)\s(?:for\suse\sin|used\sin|accompanying)\s(?:[^\n]|\n(?!\n)){0,120}?\b(?:get(?:ting)?[- ]started|quick\s?start)\b"
                 r"|\b(?:it|this|the\s(?:repository|repo|project))\sis\san?\s(?:[\w-]+\s){0,3}?(?:introduction|walkthrough|tutorial)\b"),
    # A repository whose purpose is to teach or explain: "we use the code in this repository to explain MLOps topics".
    ("material", r"\b(?:we|i)\s(?:also\s)?use\s(?:the\scode\s(?:in|of)\s)?(?:this|the)\s(?:repository|repo)\sto\s(?:explain|teach)\b"
                 r"|\b(?:this|the)\s(?:repository|repo)\s(?:is|was)\s(?:used|meant|intended)\sto\s(?:explain|teach)\b"),
    ("material", r"\b(?:code|course|workshop|tutorial|lecture|class|teaching|learning|study|training)[- ]materials?\b"),
    # Session 17: the materials of a lab or workshop ("the code, instructions and materials associated with the Lab
    # called ..."), and a repository that walks its reader through a tool ("This repo will guide you through how to
    # use MLflow"): the repository is the walkthrough. Not "materials associated with each shipment", nor a team's
    # "This guide walks you through setting up the service" (the subject is the README, not the repository).
    ("material", r"\bmaterials?\s(?:associated\swith|used\sin|used\sfor|prepared\sfor)\s(?:the\s|a\s|an\s|this\s|our\s)?[\w .&'-]{0,40}?" + _TEACHING
                 + r"|\b(?:this|the)\s(?:repository|repo)\s(?:will\s)?(?:guides?|walks?|takes?|leads?)\syou\sthrough\b"),
    ("material", r"\bmaterials? (?:for|of|from) (?:the |a |an |my |this |our )?[\w .&-]{0,40}?" + _TEACHING),
    ("material", r"\bcompanion (?:code|repository|repo|notebooks?|site|material)\b"),
    ("material", r"\bcode (?:repository|repo) for\b"),
    ("material", r"\baccompan(?:y|ies|ying)\b[^.\n]{0,40}?" + _TEACHING),
    ("material", r"\b(?:code|examples|notebooks|scripts|source code|exercises|solutions) (?:for|from|of|to) (?:the |a |an |my |our |this )?[\w .:&'-]{0,60}?" + _TEACHING),
    ("material", r"\bpublished by (?:packt|o'?reilly|manning|apress|no starch|wiley|springer)\b"),
    ("material", r"\b(?:notes|exercises|solutions|assignments|homeworks?|labs)\b[^.\n]{0,60}?(?:" + _TEACHING + r"|while learning)"),
    ("material", r"\bwelcome to (?:this |the |our )?[\w .:&'-]{0,50}?(?:tutorial|workshop|course|class|lab|bootcamp)s?\b"),
    ("material", r"\b(?:course|workshop|tutorial|class|lecture|book)['’]?s? (?:repository|repo|code|notebooks|exercises|labs)\b"),
    ("material", r"\bhands[- ]on (?:workshop|tutorial|lab|session)s?\b"),
    # Session 17: also the authors' "we" ("In this course, we'll go from experimentation to production") and a lab's
    # instructions ("In this lab, you will deploy ..."); not "In this project, we'll use Kafka".
    ("learners", r"\bin this (?:chapter|lesson|module|course|workshop|tutorial|lab),? (?:you|we)(?:'ll|’ll| will)\b"),
    # Addressed to learners: "designed to guide you through the ML lifecycle", "perfect for learning MLOps"
    ("learners", r"\b(?:designed|meant|intended|built) to (?:guide|walk|take|lead) you through\b"),
    ("learners", r"\b(?:perfect|ideal|great|designed|made) for (?:learning|learners|beginners|students|teaching)\b"),
    # Japanese and Chinese: teaching material, for study ("MLOps 学習用", "教材コード", "学习笔记")
    ("material", r"教材|学習用|学习用|学習ノート|学习笔记|ハンズオン"),
    # Korean (session 12): practice material, a hands-on course, lecture or teaching material
    ("material", r"실습 ?자료|실습 ?코스|강의 ?자료|교육 ?자료|핸즈온"),
    # Spanish, Portuguese, French, German: "Curso de MLOps", "cours d'introduction", "Kurs zu MLOps"
    ("material", r"\b(?:curso|cours|kurs|taller|diplomado|formaci[óo]n|formation|oficina) (?:de|d['’]|du|des|zu|über|sobre|en|em)\b"),
)
# All families in one pattern (the first phrase of the opening is the reason shown), and one per family.
_MATERIAL_PHRASES = re.compile("|".join(f"(?:{pattern})" for _, pattern in _PHRASE_FAMILIES), re.IGNORECASE)
_FAMILY_PHRASES = {
    family: re.compile("|".join(f"(?:{p})" for f, p in _PHRASE_FAMILIES if f == family), re.IGNORECASE)
    for family in dict.fromkeys(f for f, _ in _PHRASE_FAMILIES)
}
# The families that say what the repository IS (`lessons._WHAT_IT_IS` without the title): a claim of one of
# them, made before the README calls the repository "this project", says what "this project" is.
_WHAT_IT_IS_PHRASES = re.compile("|".join(f"(?:{p})" for f, p in _PHRASE_FAMILIES if f in ("material", "samples", "media", "template")), re.IGNORECASE)
# Weaker: speaks of the course or workshop the README belongs to, as a title does.
_THIS_COURSE = re.compile(r"\bthis (?:course|workshop|tutorial|bootcamp|book|lecture series)\b", re.IGNORECASE)
_TAG = re.compile(r"<[^>]{0,2000}>|!\[[^\]]{0,500}\]\([^)]{0,2000}\)|\[!\[[^\]]{0,500}\]\([^)]{0,2000}\)\]\([^)]{0,2000}\)")


@dataclass(frozen=True)
class Judged:
    """One tree (or the whole repository, path '') that a rule here judged to be an exercise."""

    path: str
    why: str
    files: frozenset[str]


def readme_opening(listing: Sequence[str], read) -> tuple[str, str] | None:
    """(README name, its opening text) of the root README, or None."""
    for rel in listing:
        if "/" not in rel and README_NAME.match(rel):
            data = read(rel)
            if not data:
                continue
            text = _TAG.sub(" ", decode_text(data[: OPENING_CHARS * 8]) or "")
            return rel, re.sub(r"[ \t]+", " ", text)[:OPENING_CHARS]
    return None


@lru_cache(maxsize=_OPENINGS_KEPT)
def _material_phrases(text: str) -> tuple[str, ...]:
    """The phrases `_MATERIAL_PHRASES` finds in `text`, in order (one search of a text for every question on it)."""
    return tuple(match.group(0) for match in _MATERIAL_PHRASES.finditer(text))


def teaching_readme(opening: tuple[str, str] | None, *, strong_only: bool = False, whole: bool = False) -> str | None:
    """Why the README presents the repository as teaching material, or None (see the module text).
    `strong_only`: only an explicit phrase counts (not a title word); `whole`: strong, and not only
    a generic phrase such as "tutorial notebooks" (what rule 9 needs to take a whole repository)."""
    if opening is None:
        return None
    name, text = opening
    if _says_it_is_a_project(text):
        return None
    for phrase in _material_phrases(text):
        if whole and _GENERIC_MATERIAL.fullmatch(phrase):
            continue
        return f"{name} presents it as teaching material ('{' '.join(phrase.split())}')"
    title = next((line.strip("# =*\t") for line in text.splitlines() if line.strip("# =*-\t")), "")
    if (said := _title_said_again(title, text)) is not None:
        return f"{name}'s title names a {said[0]} and its text {said[1]}"
    if strong_only:
        return None
    # A title noun that qualifies a domain ("Book Recommendation System") names no material (session 12).
    if (match := next((m for m in _TITLE.finditer(title) if noun_names_the_repository(title, m.end())), None)) is not None:
        return f"{name}'s title names a {match.group(0).lower()} ('{title[:80]}')"
    if (match := _THIS_COURSE.search(text)) is not None:
        return f"{name} speaks of '{match.group(0).lower()}'"
    return None


WEAK = "weak"  # the family of a README sign too weak to pair with another README sign: a title word, 'this course'


def readme_signs(opening: tuple[str, str] | None, teaching: str | None) -> dict[str, str]:
    """family -> why, for each claim the README's opening makes that the repository is teaching
    material (session 13, `lessons`' two-sign verdict): the phrase families of `_PHRASE_FAMILIES`
    (generic phrases such as "tutorial notebooks" left out, as rule 9 leaves them), `title` (a title
    naming a course, workshop... that the text speaks of again or that addresses learners), and
    `WEAK` (only a title word or 'this course'). {} when the README says it is a project made in a
    course, or says none of it. `teaching`: what `teaching_readme(opening)` said (None: no sign at all,
    and nothing more is searched - most READMEs cost nothing more)."""
    if opening is None or teaching is None:
        return {}
    name, text = opening
    if _says_it_is_a_project(text):
        return {}
    found: dict[str, str] = {}
    for family, pattern in _FAMILY_PHRASES.items():
        match = next((m for m in pattern.finditer(text) if not _GENERIC_MATERIAL.fullmatch(m.group(0))), None)
        if match is not None:
            found[family] = f"{name} presents it as teaching material ('{' '.join(match.group(0).split())}')"
    title = next((line.strip("# =*\t") for line in text.splitlines() if line.strip("# =*-\t")), "")
    if (said := _title_said_again(title, text)) is not None:
        found["title"] = f"{name}'s title names a {said[0]} and its text {said[1]}"
    elif not found:
        found[WEAK] = teaching
    return found


def _title_said_again(title: str, text: str) -> tuple[str, str] | None:
    """(noun, how) when the README's title names a course, workshop, tutorial... and its text speaks
    of it again as what the repository is ('this course', 'the workshop') or addresses learners."""
    match = next((m for m in _TITLE_NOUNS.finditer(title) if _NOUN_ENDS.match(title, m.end())), None)
    if match is None:  # "Course recommender", "Lecture transcription": the noun names the domain
        return None
    noun = match.group(1).lower().rstrip("s")
    body = text.split(title, 1)[1] if title in text else text
    # Spoken of again as itself, or as another teaching noun ("MLOps Tutorials ... This course contains").
    nouns = "|".join(dict.fromkeys([re.escape(noun), "course", "workshop", "tutorial", "bootcamp", "kurs"]))
    again = re.search(rf"\b(?:this|the|our|den|diesen|dem|der|ce|cette|este|esta)\s+(?:{nouns})s?\b", body, re.IGNORECASE)
    if again is not None:
        return noun, f"speaks of '{' '.join(again.group(0).split()).lower()}'"
    if (addressed := _LEARNER_ADDRESS.search(body)) is not None:
        return noun, f"addresses its learners ('{' '.join(addressed.group(0).split()).lower()}')"
    return None


def is_document(rel: str) -> bool:
    """A file a reader reads (kept even inside an exercise): Markdown, reST, text, PDF, images."""
    return rel.lower().endswith(_DOCUMENT_SUFFIXES) and not is_project_file(rel.rsplit("/", 1)[-1])


def all_folders(listing: Sequence[str]) -> set[str]:
    """Every folder of the listing (ancestors included); the root ('') left out."""
    folders: set[str] = set()
    for folder in {rel[: rel.rfind("/")] for rel in listing if "/" in rel}:
        while folder and folder not in folders:
            folders.add(folder)
            folder = folder_of(folder)
    return folders


def named_exercises(listing: Sequence[str]) -> list[Judged]:
    """Rules 3 and 4, over the folders whose names can match (a substring test first: a big tree's
    folders cost one set and a scan of their names)."""
    solutions, courses = [], []
    folders = all_folders(listing)
    for folder in sorted(folders):
        name = folder[folder.rfind("/") + 1:].lower()
        if ("solution" in name or "answer" in name or name in ("completed", "finished")) and _SOLUTION_NAME.match(name):
            solutions.append(folder)
        if "course" in name and _course_folder_name(name):
            courses.append(folder)
    return _solution_pairs(listing, solutions, folders) + _course_folders(listing, courses)


def _solution_pairs(listing: Sequence[str], candidates: list[str], folders: set[str]) -> list[Judged]:
    """Rule 3: reference solutions beside the skeleton they complete: mirrored from the solution's
    parent (`solutions/src/x.py` ~ `src/x.py`) or from a starter folder beside it
    (`ex1/solution/x.py` ~ `ex1/starter/x.py`)."""
    found: list[Judged] = []
    code = {f for f in listing if f.endswith(CODE_SUFFIXES)} if candidates else set()
    for folder in candidates:
        if any(folder.startswith(j.path + "/") for j in found):
            continue
        base = folder_of(folder)
        inside = [f for f in under(listing, folder) if f in code]
        roots = [base] + sorted(f for f in folders if folder_of(f) == base and _STARTER_NAME.match(f[f.rfind("/") + 1:]))
        best: tuple[str, list[str]] = ("", [])
        for root in roots:
            mirrored = [f for f in inside if (root + "/" if root else "") + f[len(folder) + 1:] in code]
            if len(mirrored) > len(best[1]):
                best = (root, mirrored)
        root, mirrored = best
        if len(mirrored) < MIN_MIRRORED or 2 * len(mirrored) < len(inside):
            continue
        if root != base:  # a starter folder beside the solution: all of it is the skeleton
            skeleton_tops = [root]
        else:
            skeleton_tops = sorted({((base + "/") if base else "") + f[len(folder) + 1:].split("/", 1)[0] for f in mirrored})
        files = set(under(listing, folder))
        for top in skeleton_tops:
            files.update(under(listing, top) if not top.endswith(CODE_SUFFIXES) else [top])
        shown = ", ".join(t + "/" for t in skeleton_tops if not t.endswith(CODE_SUFFIXES)) or "files outside it"
        why = f"a reference solution beside its skeleton: {len(mirrored)} of its {len(inside)} code files mirror {shown}"
        found.append(Judged(folder, why, frozenset(files)))
    return found


def _course_folders(listing: Sequence[str], candidates: list[str]) -> list[Judged]:
    """Rule 4: folders named as course material (the topmost of nested ones)."""
    found: list[Judged] = []
    for folder in candidates:
        if any(folder.startswith(j.path + "/") for j in found):
            continue
        files = under(listing, folder)
        if any(f.endswith(CODE_SUFFIXES) or not is_document(f) for f in files):
            found.append(Judged(folder, "a folder named as course material", frozenset(files)))
    return found


def _course_folder_name(name: str) -> bool:
    """`terraform_course`, `W&B_MLOps_Course`, `course-materials`; not `course_stats` or `courses_api`."""
    words = [w for w in re.split(r"[^a-z0-9]+", name.lower()) if w]
    for i, word in enumerate(words):
        if word in _COURSE_FOLDER_WORDS and set(words[i + 1:]) <= _MATERIAL_WORDS:
            return True
    return False


def workshop_around_exercises(listing: Sequence[str], teaching: str | None) -> Judged | None:
    """Rule 6: a teaching repository with a top-level numbered exercise series is a workshop whole."""
    if teaching is None:
        return None
    tops: dict[str, set[str]] = {}
    for rel in listing:
        parts = rel.split("/")
        if len(parts) >= 2 and _EXERCISE_FOLDER.match(parts[0]) and (m := _NUMBERED.match(parts[1])):
            tops.setdefault(parts[0], set()).add(m.group(1))
    for top, numbers in sorted(tops.items()):
        if len(numbers) >= 3:
            why = f"a workshop: {teaching}, and {top}/ holds {len(numbers)} numbered exercises; its code, containers and CI are their solution and demo"
            return Judged("", why, _without_capstones(listing))
    return None


def material_without_builds(listing: Sequence[str], strong_teaching: str | None) -> Judged | None:
    """Rule 8: course materials whose only project files are lists of packages."""
    if strong_teaching is None:
        return None
    for rel in listing:
        name = rel.rsplit("/", 1)[-1]
        if (is_project_file(name) and not _PACKAGE_LIST.match(name)) or ci_folder_owner(rel) is not None or rel.startswith(_ROOT_CI_FOLDERS):
            return None
    if not any(f.endswith(CODE_SUFFIXES) for f in listing):
        return None
    return Judged("", f"course material with no build, container or CI file: {strong_teaching}", _without_capstones(listing))


def teaching_repository(listing: Sequence[str], strong_teaching: str | None) -> Judged | None:
    """Rule 9: a repository whose README says in so many words that it is teaching material, and
    whose code is what it teaches (at least MIN_TAUGHT_CODE code files), is learning material whole:
    its code, containers, manifests and lesson lists are lessons, exercises and demos, whatever their
    shape (labs that are small full projects, a course's reference project, a workshop's demo stack).
    Kept: folders named as a capstone or final project (a student's own system), and the repository's
    own upkeep at its root - its CI (it checks the lessons) and its package lists and lock files (they
    pin the learners' environment)."""
    if strong_teaching is None or sum(1 for f in listing if f.endswith(CODE_SUFFIXES)) < MIN_TAUGHT_CODE:
        return None
    why = f"teaching material: {strong_teaching}; its code, containers and manifests are lessons, exercises and demos (its root CI, package lists and tests kept)"
    return Judged("", why, taught_files(listing))


def taught_files(listing: Sequence[str]) -> frozenset[str]:
    """What a teaching repository's lessons, exercises and demos are (rule 9, and the learnt
    classifier's verdict in `lessons`): all of it but capstone and final-project folders and the
    repository's own upkeep at its root (its CI, its package lists and lock files)."""
    return frozenset(rel for rel in listing if not is_repository_upkeep(rel) and ("/" not in rel or not _capstone_only(rel[: rel.rfind("/")])))


def project_of_a_course(opening: tuple[str, str] | None) -> bool:
    """The README's opening says the repository is a project made in a course (`course project`,
    `final project`, `capstone`, `thesis`, `our project`): never teaching material by its words."""
    return opening is not None and _says_it_is_a_project(opening[1])


def is_repository_upkeep(rel: str) -> bool:
    """The root CI (`.github/`, `.pipelines/`, `Jenkinsfile`...), the root package lists and lock files, the root
    test folder (a template's tests that bake it, a course's tests of its own material: what the
    repository checks on itself, judged as such) and its code-owner files (`CODEOWNERS`, a Prow
    `OWNERS` at the root)."""
    if ci_folder_owner(rel) == "" or rel.startswith(("tests/", "test/") + _ROOT_CI_FOLDERS) or rel in _ROOT_OWNERS:
        return True
    return "/" not in rel and (rel in _ROOT_CI or rel in _LOCK_FILES or bool(_PACKAGE_LIST.match(rel)))


def _capstone_only(folder: str) -> bool:
    """Stricter than `capstone_name`: in a teaching repository a folder called `project` is the
    course's own (reference or exercise) project; only a capstone or final project is a learner's."""
    return bool(_CAPSTONE.search(folder))


def template_trees(listing: Sequence[str]) -> list[Judged]:
    """Rule 10: a project template's placeholder tree (a top folder named by a template variable,
    `{{ cookiecutter.repo_name }}`): its containers, manifests, CI and package lists are what a
    generated project starts from, not a system. Its placeholder code stays (read as templated code;
    a template's own tests bake it), and so do the template's hooks, tests and CI beside it."""
    found = []
    for top in sorted({rel.split("/", 1)[0] for rel in listing if "/" in rel}):
        if _TEMPLATE_FOLDER.match(top):
            files = frozenset(f for f in under(listing, top) if not f.endswith(CODE_SUFFIXES))
            found.append(Judged(top, "a project template's placeholder tree (named by a template variable): the containers, manifests, CI and package lists a generated project starts from", files))
    return found


def _without_capstones(listing: Sequence[str]) -> frozenset[str]:
    """The listing but the files below folders named as a capstone or final project (rules 6 and 8
    take a whole repository, not its students' capstones)."""
    return frozenset(rel for rel in listing if "/" not in rel or not capstone_name(rel[: rel.rfind("/")]))


def capstone_name(folder: str) -> bool:
    """A folder named as a capstone or final project keeps its credit inside lessons (rule 5)."""
    return bool(re.search(r"capstone|final[-_ ]?project|(?:^|[-_ /])projects?(?:$|[-_ ])", folder, re.IGNORECASE))


# Session 17 (decoy17): a project generator's own files, as each generator's documentation defines a template.
# - Cookiecutter: "You must have a cookiecutter.json file [and] a {{ cookiecutter.project_name }}/ directory".
# - Copier: "Templates are plain directories: a copier.yml config plus source files, where .jinja-suffixed files
#   (and {{ var }} in names) are rendered"; the `_subdirectory` setting names the folder rendered.
# - Databricks bundle templates: "a databricks_template_schema.json file containing user-prompt variables"
#   beside the `template` folder of `.tmpl` files.
# - `dotnet new`: "The template.json file is placed in a .template.config folder in the root directory of the template".
# - Backstage: "two elements of a Software Template - a template.yaml definition file [kind: Template of
#   scaffolder.backstage.io] and a skeleton directory" (the `url` its `fetch:template` step reads).
# - Yeoman: a package depending on `yeoman-generator` whose `generators/<name>/index.js` copies `templates/`.
# A project GENERATED from a template records where it came from (`.copier-answers.yml`, `.cruft.json`): no template.
GENERATOR_FILES = frozenset({"cookiecutter.json", "copier.yml", "copier.yaml", "databricks_template_schema.json", "template.json", "template.yaml", "template.yml", "package.json"})
_GENERATOR_ENDINGS = tuple(GENERATOR_FILES)
NESTED_TEMPLATE = "a project generator's template inside the repository"  # a template a tool ships: no sign of the whole
_COPIER_SUBDIRECTORY = re.compile(r"(?:\A|\n)_subdirectory:[^\S\n]*([^\n#]*)")
_BACKSTAGE_TEMPLATE = re.compile(r"(?:\A|\n)apiVersion:[^\S\n]*['\"]?scaffolder\.backstage\.io/[^\n]*\n(?:[^\n]*\n){0,3}?kind:[^\S\n]*['\"]?Template\b|"
                                 r"(?:\A|\n)kind:[^\S\n]*['\"]?Template\b[^\n]*\n(?:[^\n]*\n){0,3}?apiVersion:[^\S\n]*['\"]?scaffolder\.backstage\.io/")
_BACKSTAGE_URL = re.compile(r"\n[^\S\n]*url:[^\S\n]*['\"]?\./([^'\"\s/]+)")
_YEOMAN = re.compile(r"\"yeoman-generator\"\s*:")
_PLACEHOLDER_DIR = re.compile(r"\{\{[^/]*\}\}")
_GENERATOR_TEXT = 64 * 1024  # how much of a generator's manifest is read


def generator_templates(listing: Sequence[str], read) -> tuple[list[Judged], str | None]:
    """Project generators' templates (see above): the trees a generated project starts from, whose
    non-code files (containers, manifests, CI, package lists) are taken as rule 10 takes a cookiecutter's
    placeholder tree (placeholder code stays: read as templated code); and, when a generator's manifest
    is at the repository's root, why the repository is a template (a structural sign), else None.
    `read(rel)`: a listed file's bytes, asked only of a generator's manifest."""
    found: list[Judged] = []
    sign: str | None = None
    for rel in [f for f in listing if f.endswith(_GENERATOR_ENDINGS)]:  # a C-speed first test of every listed path
        folder, _, name = rel.rpartition("/")
        if name not in GENERATOR_FILES:
            continue
        tree: list[str] | None = None
        generator = ""
        home = folder  # the template's own folder (`dotnet new`: the folder holding `.template.config/`)
        if name == "cookiecutter.json":
            generator = "Cookiecutter (cookiecutter.json)"
            prefix = folder + "/" if folder else ""
            tops = sorted({prefix + f[len(prefix):].split("/", 1)[0] for f in under(listing, folder) if "/" in f[len(prefix):]})
            tree = [t for t in tops if "cookiecutter" in t and _PLACEHOLDER_DIR.search(t[len(prefix):])]
            if not tree:
                continue
            if not folder:
                tree = [t for t in tree if not _TEMPLATE_FOLDER.match(t)]  # rule 10 (`template_trees`) takes those
        elif name in ("copier.yml", "copier.yaml"):
            generator = f"Copier ({name})"
            text = decode_text((read(rel) or b"")[:_GENERATOR_TEXT]) or ""
            sub = m.group(1).strip().strip("'\"").strip("/") if (m := _COPIER_SUBDIRECTORY.search(text)) else ""
            tree = [_join(folder, sub)] if sub and sub != "." else [folder]
        elif name == "databricks_template_schema.json":
            generator = "a Databricks bundle template (databricks_template_schema.json)"
            tree = [_join(folder, "template")]
        elif name == "template.json":
            if folder.rpartition("/")[2] != ".template.config":
                continue
            generator = "a dotnet new template (.template.config/template.json)"
            home = folder.rpartition("/")[0]
            tree = [home]
        elif name in ("template.yaml", "template.yml"):
            text = decode_text((read(rel) or b"")[:_GENERATOR_TEXT]) or ""
            if _BACKSTAGE_TEMPLATE.search(text) is None:
                continue
            generator = f"a Backstage software template ({name})"
            tree = sorted({_join(folder, m.group(1)) for m in _BACKSTAGE_URL.finditer(text)})
        elif name == "package.json" and not folder:
            if not any(f.startswith("generators/") and f.endswith("/index.js") and f.count("/") == 2 for f in under(listing, "generators")):
                continue
            if _YEOMAN.search(decode_text((read(rel) or b"")[:_GENERATOR_TEXT]) or "") is None:
                continue
            generator = "a Yeoman generator (generators/*/index.js)"
            tree = sorted({f[: f.index("/templates/") + len("/templates")] for f in under(listing, "generators") if "/templates/" in f})
        else:
            continue
        if not home and sign is None:
            shown = ", ".join(t + "/" for t in tree if t) if tree else ""
            sign = f"a project generator's template: {generator} at the root" + (f" with its template tree {shown}" if shown else "")
        for top in tree:
            if not top:  # the template is the root itself: its rendered files only (Copier's `.jinja`, names with placeholders)
                files = frozenset(f for f in listing if (f.endswith(".jinja") or _PLACEHOLDER_DIR.search(f)) and not f.endswith(CODE_SUFFIXES) and not is_document(f))
            else:
                files = frozenset(f for f in under(listing, top) if not f.endswith(CODE_SUFFIXES) and not is_document(f))
            files = frozenset(f for f in files if f != rel)
            if files:
                why = ("a project generator's template tree" if not home else NESTED_TEMPLATE) + f" ({generator}): the containers, manifests, CI and package lists a generated project starts from"
                found.append(Judged(top, why, files))
    return found, sign


def _join(folder: str, name: str) -> str:
    return f"{folder}/{name}" if folder and name else (folder or name)


_DATED_POST = re.compile(r"\d{4}-\d{2}-\d{2}-[^/]+\Z")
# Jekyll's `_posts/`; fastpages' `_notebooks/` and `_word/` ("save your notebook with the naming convention
# YYYY-MM-DD-*.ipynb": each becomes a post of the blog).
_POST_FOLDERS = ("_posts", "_notebooks", "_word")


def blog_site(listing: Sequence[str]) -> str | None:
    """A blog at the repository's root by Jekyll's convention ("the _posts folder is where your blog posts
    live", named `YEAR-MONTH-DAY-title`, beside the site's `_config.yml`; fastpages' dated notebooks in
    `_notebooks/`): the repository is a publication whose notebooks are posts. A project's `docs/` site is
    not its root."""
    if "_config.yml" not in listing and "_config.yaml" not in listing:
        return None
    posts = next((f for folder in _POST_FOLDERS for f in under(listing, folder) if _DATED_POST.match(f.rpartition("/")[2])), None)
    return None if posts is None else f"a blog: dated posts of a Jekyll site at the root ({posts})"


# A stage of a sequence at the repository's top level (session 18): a folder or a code file named by its
# number, bare or leading (`1`, `01-intro`, `2_versioning`, `00-course-setup`, `03-training.ipynb`); not a
# version (`1.0`, `2.1`) nor a year.
_STAGE = re.compile(r"0*(\d{1,2})(?:[-_ ]|\.(?!\d)|\Z)")
MIN_STAGES = 3  # top-level folders or code files numbered in a row that make a sequence


def numbered_top_level(listing: Sequence[str], code: Sequence[str]) -> str | None:
    """The repository's top level is a numbered sequence of stages a reader follows in order, or None.

    Curricula, workshops, samples and study repositories publish their progression as numbered entries
    at the root: folders (Microsoft's "for beginners" curricula: `00-course-setup/`,
    `01-introduction-to-genai/`...; the zoomcamps' `01-intro/`, `02-experiment-tracking/`; a workshop's
    `01-module-.../`; a learner's phases `1/` .. `7/`) or the notebooks a reader runs in turn
    (`01-dataset-management.ipynb` .. `08-model-monitoring.ipynb`). A team's system is organised at its
    top by what runs, its numbered steps inside a folder (`notebooks/01-eda.ipynb`, `pipeline/2_train.py`).
    A sequence: at least MIN_STAGES top-level folders or code files numbered in a row from 0 or 1 (a stage
    folder of documents only still stands in the row). `listing`: sorted paths; `code`: its code files.
    One pass over each."""
    stages: dict[int, str] = {}
    previous = ""
    for rel in listing:
        cut = rel.find("/")
        if cut <= 0 or (previous and rel.startswith(previous)):
            continue
        previous = rel[: cut + 1]  # sorted: a top folder's files are together
        if (m := _STAGE.match(rel, 0, cut)) is not None:
            stages.setdefault(int(m.group(1)), rel[: cut + 1])
    for rel in code:
        if "/" not in rel and (m := _STAGE.match(rel)) is not None:
            stages.setdefault(int(m.group(1)), rel)
    first = 0 if 0 in stages else 1
    last = first
    while last in stages:
        last += 1
    if last - first < MIN_STAGES:
        return None
    named = tuple(stages[n] for n in range(first, last))
    files, folders = set(named), tuple(n for n in named if n.endswith("/"))
    held = sum(1 for rel in code if rel in files or rel.startswith(folders))
    return f"the top level is a numbered sequence: {last - first} stages ({named[0]} .. {named[-1]}) hold {held} of {len(code)} code files"
