"""Pipeline configs and requirements specs: the bundled ones load, bad ones fail with file:line."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlops_audit.errors import InputError
from reference_pipeline.config import CONFIG_DIR, DEFAULT_CONFIG, CsvSource, load_config
from reference_pipeline.data.sources import load_scenario
from reference_pipeline.requirements_spec import load_requirements


@pytest.mark.parametrize("name", ["default.yaml", "breast_cancer.yaml"])
def test_bundled_configs_and_their_requirements_load(name: str) -> None:
    config = load_config(CONFIG_DIR / name)
    spec, _ = load_requirements(config.resolve(config.requirements))
    assert spec.acceptance_criteria


def test_default_config_is_the_bank_scenario_with_a_drift_episode() -> None:
    config = load_config()
    assert config.data.kind == "synthetic_credit"
    assert config.drift is not None and config.drift.kind == "synthetic_recession"
    assert config.promotion.canary_steps == [0.05, 0.25, 0.5, 1.0]


def write(tmp_path: Path, text: str, name: str = "pipeline.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_an_unknown_key_is_reported_with_file_and_line(tmp_path: Path) -> None:
    text = DEFAULT_CONFIG.read_text().replace("  cv_folds: 3\n", "  cv_folds: 3\n  cv_fold: 5\n")
    path = write(tmp_path, text)
    line = text.splitlines().index("  cv_fold: 5") + 1
    with pytest.raises(InputError) as caught:
        load_config(path)
    assert f"{path}:{line}:" in caught.value.message
    assert "experiments.cv_fold" in caught.value.message


def test_canary_steps_must_rise_to_full_traffic(tmp_path: Path) -> None:
    text = DEFAULT_CONFIG.read_text().replace("[0.05, 0.25, 0.5, 1.0]", "[0.5, 0.25]")
    with pytest.raises(InputError, match=r"promotion\.canary_steps: .*end at 1\.0"):
        load_config(write(tmp_path, text))


def test_the_validator_must_not_be_the_data_scientist(tmp_path: Path) -> None:
    text = DEFAULT_CONFIG.read_text() + "actors:\n  data_scientist: wang\n  model_risk_analyst: wang\n"
    with pytest.raises(InputError, match="independent validation"):
        load_config(write(tmp_path, text))


def test_a_requirements_spec_without_acceptance_criteria_names_its_line(tmp_path: Path) -> None:
    text = (CONFIG_DIR / "requirements.yaml").read_text()
    text = text[: text.index("acceptance_criteria:")] + "acceptance_criteria: []\n"
    path = write(tmp_path, text, "requirements.yaml")
    with pytest.raises(InputError, match=rf"{path}:\d+:\d+: acceptance_criteria: "):
        load_requirements(path)


def test_a_requirements_spec_may_not_build_features_from_prohibited_attributes(tmp_path: Path) -> None:
    text = (CONFIG_DIR / "requirements.yaml").read_text().replace("log1p: [income, loan_amount]", "log1p: [income, gender]")
    with pytest.raises(InputError, match="prohibited features"):
        load_requirements(write(tmp_path, text, "requirements.yaml"))


def csv_config(tmp_path: Path, csv: Path, target: str) -> Path:
    return write(tmp_path, (
        "name: user-data\n"
        f"requirements: {CONFIG_DIR / 'requirements.yaml'}\n"
        f"data: {{kind: csv, path: {csv.name}, target: {target}, positive_label: 1}}\n"
        "experiments:\n  target_auc: 0.7\n  candidates:\n    - {algorithm: logistic_regression}\n"
    ))


def test_a_user_csv_without_the_target_column_names_the_file_and_the_column(tmp_path: Path) -> None:
    csv = tmp_path / "loans.csv"
    csv.write_text("age,income,outcome\n30,1000,0\n41,2000,1\n")
    config = load_config(csv_config(tmp_path, csv, "default"))
    with pytest.raises(InputError) as caught:
        load_scenario(config)
    assert str(csv) in caught.value.message
    assert "target column 'default' not found" in caught.value.message
    assert "'outcome'" in caught.value.message  # the columns it does have


def test_a_user_csv_whose_target_never_takes_the_positive_label_is_refused(tmp_path: Path) -> None:
    csv = tmp_path / "loans.csv"
    csv.write_text("age,income,default\n30,1000,0\n41,2000,0\n")
    with pytest.raises(InputError, match="never takes the positive label 1"):
        load_scenario(load_config(csv_config(tmp_path, csv, "default")))


def test_a_missing_csv_file_is_a_clear_error(tmp_path: Path) -> None:
    config = load_config(csv_config(tmp_path, tmp_path / "absent.csv", "default"))
    assert isinstance(config.data, CsvSource)
    with pytest.raises(InputError, match="absent.csv: cannot read the data file"):
        load_scenario(config)
