"""Git history signals: activity windows, contributors, tags, and who changes which areas."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from mlops_audit.evidence.repo.git import git_signals
from tests.repo import gitreplay


def history(root: Path) -> None:
    # gitreplay dates commit n at BASE_EPOCH + n days (BASE_EPOCH = 2023-11-14T22:13:20Z).
    gitreplay.init(root)
    gitreplay.commit(root, "alice", ["training/train.py", "data/raw.csv.dvc"], 1, tag="v1.0.0")
    gitreplay.commit(root, "bob", ["deploy/k8s.yaml", "Dockerfile"], 2)
    gitreplay.commit(root, "carol", ["training/train.py", "deploy/k8s.yaml"], 3, tag="churn@v1.2.0")
    gitreplay.commit(root, "alice", ["README.md"], 200, tag="nightly")


def test_signals_count_activity_contributors_tags_and_areas(tmp_path: Path) -> None:
    history(tmp_path)
    now = datetime.fromtimestamp(gitreplay.BASE_EPOCH + 210 * 86_400, UTC)
    signals = git_signals(tmp_path, now=now)
    assert signals.present and not signals.shallow
    assert (signals.commits, signals.contributors) == (4, 3)
    assert signals.commits_last_90_days == 1  # day 200 only
    assert signals.commits_last_365_days == 4
    assert signals.contributors_last_365_days == 3
    assert (signals.tags, signals.release_tags, signals.registry_tags) == (3, 1, 1)
    assert signals.areas["training"].model_dump() == {"commits": 2, "authors": 2}
    assert signals.areas["deployment"].model_dump() == {"commits": 2, "authors": 2}
    assert signals.areas["data"].model_dump() == {"commits": 1, "authors": 1}
    assert signals.shared_authors == {"data+training": 1, "training+deployment": 1, "data+deployment": 0}
    assert signals.head and len(signals.head) == 40


def test_bots_are_commits_but_neither_contributors_nor_area_authors(tmp_path: Path) -> None:
    gitreplay.init(tmp_path)
    gitreplay.commit(tmp_path, "alice", ["training/train.py", "deploy/k8s.yaml"], 1)
    # A dependency bot bumping the base image would otherwise look like an independent deployer.
    gitreplay.commit(tmp_path, "49699333+dependabot[bot]", ["Dockerfile"], 2)
    signals = git_signals(tmp_path)
    assert (signals.commits, signals.contributors) == (2, 1)
    assert signals.areas["deployment"].model_dump() == {"commits": 2, "authors": 1}
    assert signals.shared_authors["training+deployment"] == 1


def test_only_tool_accounts_are_bots() -> None:
    from mlops_audit.evidence.repo.git import is_bot

    bots = ["49699333+dependabot[bot]@users.noreply.github.com", "41898282+github-actions[bot]@users.noreply.github.com",
            "action@github.com", "bot@renovateapp.com", "renovate[bot]@example.com"]
    people = ["abbot@example.com", "robot.lover@example.com", "jane@github.com", "12345+jane@users.noreply.github.com"]
    assert all(is_bot(e) for e in bots) and not any(is_bot(e) for e in people)


def test_without_now_the_windows_end_at_the_latest_commit_so_output_is_reproducible(tmp_path: Path) -> None:
    history(tmp_path)
    assert git_signals(tmp_path) == git_signals(tmp_path)
    assert git_signals(tmp_path).commits_last_90_days == 1


def test_a_folder_without_git_has_no_signals_and_says_why(tmp_path: Path) -> None:
    signals = git_signals(tmp_path)
    assert not signals.present and "no .git" in (signals.reason or "")


def test_an_empty_repository_is_reported_not_crashed(tmp_path: Path) -> None:
    gitreplay.init(tmp_path)
    signals = git_signals(tmp_path)
    assert not signals.present and "unreadable" in (signals.reason or "")


def test_one_person_with_two_emails_is_not_an_independent_deployer(tmp_path: Path) -> None:
    gitreplay.init(tmp_path)
    gitreplay.commit(tmp_path, "Alice Martin", ["training/train.py"], 1, email="alice@laptop.example")
    gitreplay.commit(tmp_path, "Alice Martin", ["deploy/k8s.yaml"], 2, email="alice@work.example")  # same name, other email
    gitreplay.commit(tmp_path, "amartin", ["Dockerfile"], 3, email="12345+amartin@users.noreply.github.com")
    gitreplay.commit(tmp_path, "Alice Martin", ["training/model.py"], 4, email="12345+amartin@users.noreply.github.com")  # the login joins them
    signals = git_signals(tmp_path)
    assert signals.contributors == 1
    assert signals.areas["training"].authors == signals.areas["deployment"].authors == 1
    assert signals.shared_authors["training+deployment"] == 1


def test_generic_names_do_not_join_different_people_and_coding_agents_are_not_people(tmp_path: Path) -> None:
    gitreplay.init(tmp_path)
    gitreplay.commit(tmp_path, "root", ["training/train.py"], 1, email="alice@example.com")
    gitreplay.commit(tmp_path, "root", ["deploy/k8s.yaml"], 2, email="bob@example.com")
    gitreplay.commit(tmp_path, "Copilot", ["deploy/helm/values.yaml"], 3, email="198982749+Copilot@users.noreply.github.com")
    gitreplay.commit(tmp_path, "Claude", ["serving/Dockerfile"], 4, email="noreply@anthropic.com")
    signals = git_signals(tmp_path)
    assert (signals.commits, signals.contributors) == (4, 2)
    assert signals.areas["deployment"].model_dump() == {"commits": 3, "authors": 1}
    assert signals.shared_authors["training+deployment"] == 0


def test_identities_join_by_email_name_or_login_and_numbering_is_stable() -> None:
    from mlops_audit.evidence.repo.git import people

    ids = [("a@x.org", "Ann Lee"), ("ann@y.org", "ann  lee"), ("b@x.org", "Bo"), ("7+bo@users.noreply.github.com", "bo-gh"), ("c@x.org", "Cy")]
    numbers = people(set(ids))
    assert numbers[("a@x.org", "Ann Lee")] == numbers[("ann@y.org", "ann  lee")]  # the same name, spaced and cased differently
    assert numbers[("7+bo@users.noreply.github.com", "bo-gh")] == numbers[("b@x.org", "Bo")]  # the noreply login is the name Bo
    assert len(set(numbers.values())) == 3
    assert people(set(reversed(ids))) == numbers  # numbered from the sorted identities, not arrival order


def test_first_names_alone_and_machine_addresses_join_nobody(tmp_path: Path) -> None:
    from mlops_audit.evidence.repo.git import is_bot, people

    numbers = people({("alice@x.org", "Alice"), ("you@example.com", "Alice"), ("you@example.com", "Bob"), ("bob@y.org", "Bob")})
    # "Alice" and "Bob" share a tutorial's placeholder address: that says nothing of who they are
    assert numbers[("alice@x.org", "Alice")] != numbers[("bob@y.org", "Bob")]
    assert not is_bot("claude.dupont@free.fr", "Claude") and not is_bot("jules@corp.example", "Jules")  # people's names
    assert is_bot("noreply@anthropic.com", "Claude") and is_bot("jenkins@ci.corp", "Jenkins")


def test_a_record_separator_inside_an_author_name_hides_no_commit(tmp_path: Path) -> None:
    gitreplay.init(tmp_path)
    gitreplay.commit(tmp_path, "alice", ["training/train.py"], 1)
    gitreplay.commit(tmp_path, "Mal\x1elory", ["deploy/k8s.yaml"], 2, email="mallory@example.org")
    signals = git_signals(tmp_path)
    assert signals.commits == 2
    assert signals.areas["deployment"].model_dump() == {"commits": 1, "authors": 1}


def test_when_only_bots_change_deployment_paths_duties_cannot_be_compared(tmp_path: Path) -> None:
    from mlops_audit.evidence.repo.detectors.history import separates_duties_in_git
    from mlops_audit.evidence.repo.index import RepoIndex

    gitreplay.init(tmp_path)
    gitreplay.commit(tmp_path, "alice", ["training/train.py"], 1)
    gitreplay.commit(tmp_path, "49699333+dependabot[bot]", ["Dockerfile"], 2)
    seen = separates_duties_in_git(RepoIndex(tmp_path))
    assert seen.outcome.value == "not_applicable" and "only bots or coding agents changed deployment configuration" in seen.message


DEPENDABOT = ("dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com")


def test_dependabot_commits_are_counted_by_its_address_not_by_a_name(tmp_path: Path) -> None:
    gitreplay.init(tmp_path)
    gitreplay.commit(tmp_path, "alice", ["src/app.py"], 1)
    gitreplay.commit(tmp_path, DEPENDABOT[0], ["requirements.txt"], 2, email=DEPENDABOT[1])
    gitreplay.commit(tmp_path, DEPENDABOT[0], ["requirements.txt"], 3, email=DEPENDABOT[1])
    # A person may call themselves anything: the name alone is not Dependabot.
    gitreplay.commit(tmp_path, "dependabot[bot]", ["requirements.txt"], 4, email="mallory@example.org")
    gitreplay.commit(tmp_path, "snyk-bot", ["requirements.txt"], 5, email="snyk-bot@snyk.io")
    signals = git_signals(tmp_path)
    assert {bot: activity.model_dump() for bot, activity in signals.dependency_bots.items()} == {
        "dependabot": {"commits": 2, "last_commit": "2023-11-17T22:13:20Z"},
        "snyk": {"commits": 1, "last_commit": "2023-11-19T22:13:20Z"},
    }


def _scans(root: Path):  # noqa: ANN202 - an Observation
    from mlops_audit.evidence.repo.detectors.governance import scans_security
    from mlops_audit.evidence.repo.index import RepoIndex

    return scans_security(RepoIndex(root))


def test_dependabot_commits_without_a_version_update_config_are_security_updates_so_scanning_passes(tmp_path: Path) -> None:
    gitreplay.init(tmp_path)
    gitreplay.commit(tmp_path, "alice", ["requirements.txt"], 1)
    gitreplay.commit(tmp_path, DEPENDABOT[0], ["requirements.txt"], 2, email=DEPENDABOT[1])
    seen = _scans(tmp_path)
    assert seen.outcome.value == "pass" and seen.confidence is not None and seen.confidence.value == "low"
    assert "1 Dependabot commit(s) (latest 2023-11-16T22:13:20Z) and no version-update configuration" in seen.message


def test_snyk_fix_commits_show_snyk_scans_the_dependencies(tmp_path: Path) -> None:
    gitreplay.init(tmp_path)
    gitreplay.commit(tmp_path, "alice", ["requirements.txt", ".github/dependabot.yml"], 1)
    gitreplay.commit(tmp_path, "snyk-bot", ["requirements.txt"], 2, email="snyk-bot@snyk.io")
    seen = _scans(tmp_path)
    assert seen.outcome.value == "pass" and "1 Snyk commit(s)" in seen.message


def test_dependabot_commits_beside_a_version_update_config_may_be_version_updates_and_do_not_count(tmp_path: Path) -> None:
    gitreplay.init(tmp_path)
    gitreplay.commit(tmp_path, "alice", ["requirements.txt", ".github/dependabot.yml"], 1)
    gitreplay.commit(tmp_path, DEPENDABOT[0], ["requirements.txt"], 2, email=DEPENDABOT[1])
    assert _scans(tmp_path).outcome.value == "fail"


def test_without_dependabot_commits_a_history_shows_no_scanning(tmp_path: Path) -> None:
    gitreplay.init(tmp_path)
    gitreplay.commit(tmp_path, "alice", ["requirements.txt"], 1)
    gitreplay.commit(tmp_path, "renovate-ish", ["requirements.txt"], 2, email="dependabot@example.com")
    assert _scans(tmp_path).outcome.value == "fail"


def test_dependabot_preview_commits_beside_its_own_configuration_are_version_updates(tmp_path: Path) -> None:
    # review10: Dependabot Preview kept its version-update configuration in .dependabot/config.yml
    gitreplay.init(tmp_path)
    gitreplay.commit(tmp_path, "alice", ["requirements.txt", ".dependabot/config.yml"], 1)
    gitreplay.commit(tmp_path, "dependabot-preview[bot]", ["requirements.txt"], 2, email="27856297+dependabot-preview[bot]@users.noreply.github.com")
    assert _scans(tmp_path).outcome.value == "fail"


def test_the_signals_of_one_reading_at_any_clock_are_those_of_reading_it_at_that_clock(tmp_path: Path) -> None:
    # The rule memo keeps one reading of a history (`read_history_times`) and gives its signals at a
    # later run's clock (`signals_at`): only the activity windows move with the clock.
    from mlops_audit.evidence.repo.git import read_git_output, read_history, read_history_times, signals_at

    history(tmp_path)
    gitreplay.commit(tmp_path, "49699333+dependabot[bot]", ["Dockerfile"], 330)
    output = read_git_output(tmp_path)
    day = 86_400
    clocks = [None, *(datetime.fromtimestamp(gitreplay.BASE_EPOCH + d * day, UTC) for d in (0, 2, 95, 201, 290, 330, 366, 560, 700))]
    read, _, times = read_history_times(tmp_path, now=clocks[3], output=output)
    assert times is not None and len(times.people) == read.contributors
    windows = set()
    for clock in clocks:
        expected = read_history(tmp_path, now=clock, output=output)[0]
        assert signals_at(read, times, clock) == expected, clock
        windows.add((expected.commits_last_90_days, expected.commits_last_365_days, expected.contributors_last_365_days))
    assert len(windows) >= 5  # the clocks move every window
