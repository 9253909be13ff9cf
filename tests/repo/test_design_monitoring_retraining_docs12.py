"""Session 12 (docs12): design documents, monitoring and retraining triggers as teams really keep them.
Each rule with the practice it recognises and the near miss it must not."""

from __future__ import annotations

import json
from pathlib import Path

from mlops_audit.evidence.repo.detectors.governance import may_be_design_path
from mlops_audit.evidence.repo.model import FindingOutcome
from tests.repo.test_recall_session7 import _outcome, _tree

TRAIN = "import pandas as pd\nfrom sklearn.linear_model import LinearRegression\n\n\ndef train(path):\n    df = pd.read_csv(path)\n    return LinearRegression().fit(df[['x']], df['y'])\n"
PROSE = (
    "The service receives requests from the web front end, looks up the customer's features in the feature table and "
    "scores them with the current model. Scores are written back to the warehouse every night so that the retention "
    "team can act on them the next morning; the model itself is retrained weekly on the last ninety days of data. "
    "Each part runs in its own container and talks to the others only through the queue and the warehouse tables. "
)


# --- has_design_docs: design sections beyond the word "design" ---------------------------------------


def _doc(title: str, sections: list[str]) -> str:
    return f"# {title}\n\n{PROSE}\n\n" + "".join(f"## {s}\n\n{PROSE}\n\n" for s in sections)


def test_a_system_overview_with_its_data_flow_in_docs_is_a_design_document(tmp_path: Path) -> None:
    files = {"docs/overview_of_things.md": _doc("How it fits together", ["System overview", "Data flow"]), "src/train.py": TRAIN, "src/serve.py": TRAIN}
    outcome, message = _outcome(_tree(tmp_path, files), "has_design_docs")
    assert outcome is FindingOutcome.pass_, message


def test_a_usage_page_in_docs_with_no_design_section_is_not_one(tmp_path: Path) -> None:
    files = {"docs/usage.md": _doc("Usage", ["Running the service", "Command line options"]), "src/train.py": TRAIN, "src/serve.py": TRAIN}
    assert _outcome(_tree(tmp_path, files), "has_design_docs")[0] is FindingOutcome.fail


def test_a_methodology_document_at_the_root_records_how_the_system_computes_its_results(tmp_path: Path) -> None:
    files = {"SCORING_METHODOLOGY.md": _doc("Scoring methodology", ["Overview", "Aggregation"]), "src/train.py": TRAIN, "src/serve.py": TRAIN}
    assert _outcome(_tree(tmp_path, files), "has_design_docs")[0] is FindingOutcome.pass_


def test_a_stub_methodology_file_proves_nothing(tmp_path: Path) -> None:
    files = {"METHODOLOGY.md": "# Methodology\n\nTODO\n", "src/train.py": TRAIN, "src/serve.py": TRAIN}
    assert _outcome(_tree(tmp_path, files), "has_design_docs")[0] is FindingOutcome.fail


def test_design_documents_written_in_chinese_spanish_or_german_count(tmp_path: Path) -> None:
    for i, (name, title) in enumerate([("docs/系统设计.md", "系统设计"), ("docs/arquitectura.md", "Arquitectura"), ("docs/notes.md", "Anforderungen")]):
        files = {name: _doc(title, ["1", "2"]), "src/train.py": TRAIN, "src/serve.py": TRAIN}
        outcome, message = _outcome(_tree(tmp_path / str(i), files), "has_design_docs")
        assert outcome is FindingOutcome.pass_, (name, message)


def test_a_chinese_installation_guide_is_not_a_design_document(tmp_path: Path) -> None:
    files = {"docs/安装.md": _doc("安装说明", ["环境", "运行"]), "src/train.py": TRAIN, "src/serve.py": TRAIN}
    assert _outcome(_tree(tmp_path, files), "has_design_docs")[0] is FindingOutcome.fail


def test_a_wiki_page_on_the_architecture_counts_and_a_wiki_faq_does_not(tmp_path: Path) -> None:
    code = {"src/train.py": TRAIN, "src/serve.py": TRAIN}
    wiki = {"wiki/Home.md": _doc("Home", ["Solution overview", "Components"]), **code}
    assert _outcome(_tree(tmp_path / "a", wiki), "has_design_docs")[0] is FindingOutcome.pass_
    faq = {"wiki/FAQ.md": _doc("FAQ", ["Why is it slow?", "Where are the logs?"]), **code}
    assert _outcome(_tree(tmp_path / "b", faq), "has_design_docs")[0] is FindingOutcome.fail


def test_a_design_section_in_the_readme_alone_still_does_not_count(tmp_path: Path) -> None:
    files = {"README.md": _doc("Churn service", ["System overview", "Data flow"]), "src/train.py": TRAIN, "src/serve.py": TRAIN}
    assert _outcome(_tree(tmp_path, files), "has_design_docs")[0] is FindingOutcome.fail


def test_the_new_design_words_are_covered_by_the_path_hint() -> None:
    for path in ("docs/系统设计.md", "Anforderungen.md", "SCORING_METHODOLOGY.md", "wiki/Home.md", "website/user-docs/intro.md", "ops/runbook.md"):
        assert may_be_design_path(path), path


# --- monitors_model: rule `traced answers` (LLM applications, conventions §13) ---------------------

CHAIN_TRACED = """\
from fastapi import FastAPI
from langfuse import Langfuse
from langfuse.langchain import CallbackHandler

app = FastAPI()
langfuse = Langfuse()


@app.post("/chat")
def chat(question: str):
    handler = CallbackHandler()
    return chain.invoke({"question": question}, config={"callbacks": [handler]})
"""
EVAL_TRACED = """\
from langfuse import Langfuse

client = Langfuse()


def run(dataset):
    for item in dataset:
        client.trace(name="eval", input=item)
"""
WEAVE_RUNTIME = """\
def init_tracing(project):
    import weave

    weave.init(project)
"""


def test_an_llm_service_tracing_its_answers_to_langfuse_is_partial_monitoring(tmp_path: Path) -> None:
    outcome, message = _outcome(_tree(tmp_path, {"app/main.py": CHAIN_TRACED}), "monitors_model")
    assert outcome is FindingOutcome.partial and "traced" in message, message


def test_weave_initialised_inside_a_function_traces_the_agent_runs(tmp_path: Path) -> None:
    outcome, message = _outcome(_tree(tmp_path, {"runtime/tracing.py": WEAVE_RUNTIME}), "monitors_model")
    assert outcome is FindingOutcome.partial and "weave.init" in message, message


def test_tracing_an_offline_evaluation_watches_no_service(tmp_path: Path) -> None:
    for i, path in enumerate(("evals/run_benchmark.py", "src/evaluation/judge.py", "scripts/eval_generation.py")):
        assert _outcome(_tree(tmp_path / str(i), {path: EVAL_TRACED}), "monitors_model")[0] is FindingOutcome.fail, path


def test_tracing_in_a_notebook_or_a_test_is_not_monitoring(tmp_path: Path) -> None:
    notebook = {"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": 1, "source": CHAIN_TRACED}],
                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    files = {"notebooks/try_langfuse.ipynb": json.dumps(notebook), "tests/test_chat.py": CHAIN_TRACED}
    assert _outcome(_tree(tmp_path, files), "monitors_model")[0] is FindingOutcome.fail


# --- monitors_model: rule `answers in a SQL dashboard` ----------------------------------------------


def _sql_dashboard(*queries: str) -> str:
    panels = [{"type": "timeseries", "title": f"panel {i}", "datasource": {"type": "grafana-postgresql-datasource"},
               "targets": [{"rawSql": q, "refId": "A"}]} for i, q in enumerate(queries)]
    return json.dumps({"title": "Service", "panels": panels})


def test_a_grafana_dashboard_of_logged_answers_and_feedback_is_partial_monitoring(tmp_path: Path) -> None:
    board = _sql_dashboard("SELECT $__timeGroup(timestamp, '1h') AS time, COUNT(*) FROM conversations GROUP BY 1",
                           "SELECT score, COUNT(*) FROM feedback GROUP BY score")
    outcome, message = _outcome(_tree(tmp_path, {"grafana/dashboards/bot.json": board, "app.py": "print('x')\n"}), "monitors_model")
    assert outcome is FindingOutcome.partial and "dashboard" in message, message


def test_a_grafana_sql_dashboard_of_orders_is_not_the_model_s(tmp_path: Path) -> None:
    board = _sql_dashboard("SELECT $__timeGroup(created, '1h') AS time, SUM(total) FROM orders GROUP BY 1")
    assert _outcome(_tree(tmp_path, {"grafana/dashboards/shop.json": board, "app.py": "print('x')\n"}), "monitors_model")[0] is FindingOutcome.fail


# --- triggers_retraining: rule `timer-triggered function that trains` ------------------------------

TIMER_BINDING = json.dumps({"scriptFile": "__init__.py", "bindings": [{"name": "t", "type": "timerTrigger", "direction": "in", "schedule": "0 15 5 * * *"}]})
FUNCTION_CALLS_PIPELINE = "import azure.functions as func\n\nfrom run_pipeline import run_pipeline\n\n\ndef main(t: func.TimerRequest) -> None:\n    run_pipeline()\n"
PIPELINE_REFITS = "from model import fit_model, get_training_data\n\n\ndef run_pipeline():\n    data = get_training_data()\n    fit_model(data)\n"
FUNCTION_INGESTS = "import azure.functions as func\n\nfrom ingest import fetch\n\n\ndef main(t: func.TimerRequest) -> None:\n    fetch()\n"
INGEST = "import requests\n\n\ndef fetch():\n    return requests.get('https://example.org/feed').json()\n"


def test_an_azure_function_on_a_timer_that_runs_the_training_pipeline_triggers_retraining(tmp_path: Path) -> None:
    files = {"models/forecast_func/function.json": TIMER_BINDING, "models/forecast_func/__init__.py": FUNCTION_CALLS_PIPELINE,
             "models/run_pipeline.py": PIPELINE_REFITS}
    outcome, message = _outcome(_tree(tmp_path, files), "triggers_retraining")
    assert outcome is FindingOutcome.pass_ and "timer" in message, message


def test_an_azure_function_on_a_timer_that_only_ingests_data_is_not_retraining(tmp_path: Path) -> None:
    files = {"ingress/weather_func/function.json": TIMER_BINDING, "ingress/weather_func/__init__.py": FUNCTION_INGESTS, "ingress/ingest.py": INGEST}
    assert _outcome(_tree(tmp_path, files), "triggers_retraining")[0] is FindingOutcome.fail


def test_a_disabled_timer_function_runs_nothing(tmp_path: Path) -> None:
    disabled = json.dumps({**json.loads(TIMER_BINDING), "disabled": True})
    files = {"models/forecast_func/function.json": disabled, "models/forecast_func/__init__.py": FUNCTION_CALLS_PIPELINE,
             "models/run_pipeline.py": PIPELINE_REFITS}
    assert _outcome(_tree(tmp_path, files), "triggers_retraining")[0] is FindingOutcome.fail


def test_an_azure_functions_v2_timer_decorator_on_training_code_triggers_retraining(tmp_path: Path) -> None:
    app = ("import azure.functions as func\n\nfrom train import train\n\napp = func.FunctionApp()\n\n\n"
           "@app.timer_trigger(schedule='0 0 3 * * *', arg_name='timer')\ndef nightly(timer: func.TimerRequest) -> None:\n    train('data.csv')\n")
    assert _outcome(_tree(tmp_path / "a", {"function_app.py": app, "train.py": TRAIN}), "triggers_retraining")[0] is FindingOutcome.pass_
    # the same timer on a module that only ingests
    ingest_app = app.replace("from train import train", "from ingest import fetch").replace("train('data.csv')", "fetch()")
    assert _outcome(_tree(tmp_path / "b", {"function_app.py": ingest_app, "ingest.py": INGEST}), "triggers_retraining")[0] is FindingOutcome.fail


SERVERLESS = "service: churn\nprovider:\n  name: aws\nfunctions:\n  retrain:\n    handler: {handler}\n    events:\n      - schedule: rate(7 days)\n"
SAM = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Retrain:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: jobs/
      Handler: {handler}
      Events:
        Weekly:
          Type: Schedule
          Properties:
            Schedule: rate(7 days)
            Enabled: {enabled}
"""
HANDLER_TRAINS = "from train import train\n\n\ndef handler(event, context):\n    train('s3://bucket/latest.csv')\n"
HANDLER_SCORES = "import joblib\n\n\ndef handler(event, context):\n    return joblib.load('model.pkl').predict([[1.0]]).tolist()\n"


def test_a_serverless_function_on_a_schedule_whose_handler_trains_triggers_retraining(tmp_path: Path) -> None:
    files = {"serverless.yml": SERVERLESS.format(handler="jobs/retrain.handler"), "jobs/retrain.py": HANDLER_TRAINS, "jobs/train.py": TRAIN}
    assert _outcome(_tree(tmp_path / "a", files), "triggers_retraining")[0] is FindingOutcome.pass_
    scoring = {"serverless.yml": SERVERLESS.format(handler="jobs/score.handler"), "jobs/score.py": HANDLER_SCORES}
    assert _outcome(_tree(tmp_path / "b", scoring), "triggers_retraining")[0] is FindingOutcome.fail


def test_a_sam_function_with_a_schedule_event_that_trains_triggers_retraining_unless_disabled(tmp_path: Path) -> None:
    code = {"jobs/retrain.py": HANDLER_TRAINS, "jobs/train.py": TRAIN}
    enabled = {"template.yaml": SAM.format(handler="retrain.handler", enabled="true"), **code}
    outcome, message = _outcome(_tree(tmp_path / "a", enabled), "triggers_retraining")
    assert outcome is FindingOutcome.pass_, message
    disabled = {"template.yaml": SAM.format(handler="retrain.handler", enabled="false"), **code}
    assert _outcome(_tree(tmp_path / "b", disabled), "triggers_retraining")[0] is FindingOutcome.fail


# --- triggers_retraining: rule `scheduled command runs a training script` --------------------------

SCHEDULED_WORKFLOW = """\
name: nightly
on:
  schedule:
    - cron: "0 3 * * *"
jobs:
  run:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: {command}
"""
PIPELINE_TRAINS = "from pipeline.steps import load, train_model\n\n\ndef main():\n    train_model(load())\n\n\nif __name__ == '__main__':\n    main()\n"
PIPELINE_SCORES = (
    "import joblib\nimport pandas as pd\n\n\ndef main():\n    model = joblib.load('model.pkl')\n"
    "    # the model was trained by the weekly training run\n    pd.DataFrame(model.predict(pd.read_csv('new.csv'))).to_csv('out.csv')\n"
)


def test_a_scheduled_workflow_running_a_pipeline_script_that_trains_triggers_retraining(tmp_path: Path) -> None:
    files = {".github/workflows/nightly.yml": SCHEDULED_WORKFLOW.format(command="python -m pipeline.run"), "pipeline/run.py": PIPELINE_TRAINS,
             "pipeline/steps.py": TRAIN}
    outcome, message = _outcome(_tree(tmp_path, files), "triggers_retraining")
    assert outcome is FindingOutcome.pass_ and "scheduled GitHub Actions workflow" in message, message


def test_a_scheduled_workflow_through_make_reaches_the_training_script(tmp_path: Path) -> None:
    files = {".github/workflows/nightly.yml": SCHEDULED_WORKFLOW.format(command="make pipeline"), "Makefile": "pipeline:\n\tpython -m pipeline.run\n",
             "pipeline/run.py": PIPELINE_TRAINS, "pipeline/steps.py": TRAIN}
    assert _outcome(_tree(tmp_path, files), "triggers_retraining")[0] is FindingOutcome.pass_


def test_a_scheduled_workflow_running_a_scoring_script_is_not_retraining(tmp_path: Path) -> None:
    files = {".github/workflows/nightly.yml": SCHEDULED_WORKFLOW.format(command="python -m pipeline.run"), "pipeline/run.py": PIPELINE_SCORES}
    assert _outcome(_tree(tmp_path, files), "triggers_retraining")[0] is FindingOutcome.fail


def test_the_training_script_run_only_by_hand_is_not_retraining(tmp_path: Path) -> None:
    manual = SCHEDULED_WORKFLOW.format(command="python -m pipeline.run").replace('schedule:\n    - cron: "0 3 * * *"', "workflow_dispatch:")
    files = {".github/workflows/nightly.yml": manual, "pipeline/run.py": PIPELINE_TRAINS, "pipeline/steps.py": TRAIN}
    assert _outcome(_tree(tmp_path, files), "triggers_retraining")[0] is FindingOutcome.fail


def test_a_cron_table_line_running_the_training_script_triggers_retraining(tmp_path: Path) -> None:
    files = {"deploy/crontab": "0 2 * * 0 cd /app && python jobs/weekly.py >> /var/log/weekly.log 2>&1\n", "jobs/weekly.py": PIPELINE_TRAINS,
             "pipeline/steps.py": TRAIN}
    assert _outcome(_tree(tmp_path / "a", files), "triggers_retraining")[0] is FindingOutcome.pass_
    scoring = {"deploy/crontab": "0 2 * * * cd /app && python jobs/daily.py\n", "jobs/daily.py": PIPELINE_SCORES}
    assert _outcome(_tree(tmp_path / "b", scoring), "triggers_retraining")[0] is FindingOutcome.fail
    commented = {"deploy/crontab": "# 0 2 * * 0 python jobs/weekly.py\n", "jobs/weekly.py": PIPELINE_TRAINS, "pipeline/steps.py": TRAIN}
    assert _outcome(_tree(tmp_path / "c", commented), "triggers_retraining")[0] is FindingOutcome.fail


def test_a_scheduled_flow_that_only_mentions_training_in_its_docstring_does_not_train(tmp_path: Path) -> None:
    flow = ('"""Daily drift report.\n\nCompares today\'s data with the data used in training and e-mails the team."""\n'
            "from prefect import flow\n\n\n@flow\ndef report():\n    send_mail(compare())\n")
    prefect = "deployments:\n- name: daily-report\n  entrypoint: monitoring/report.py:report\n  schedule:\n    cron: 0 14 * * *\n"
    assert _outcome(_tree(tmp_path, {"prefect.yaml": prefect, "monitoring/report.py": flow}), "triggers_retraining")[0] is FindingOutcome.fail


# --- triggers_retraining: rule `scheduled Databricks job that trains` ------------------------------

BUNDLE = """\
bundle:
  name: churn
resources:
  jobs:
    {key}:
      name: {key}
      {when}
      tasks:
        - task_key: {key}
          notebook_task:
            notebook_path: ../notebooks/{key}.py
"""
CRON = "schedule:\n        quartz_cron_expression: \"0 0 2 ? * MON\"\n        timezone_id: UTC{paused}"


def test_a_databricks_bundle_job_on_a_schedule_that_trains_triggers_retraining(tmp_path: Path) -> None:
    files = {"databricks.yml": BUNDLE.format(key="train_model", when=CRON.format(paused=""))}
    outcome, message = _outcome(_tree(tmp_path, files), "triggers_retraining")
    assert outcome is FindingOutcome.pass_ and "Databricks" in message, message


def test_a_databricks_job_started_when_new_files_arrive_that_trains_triggers_retraining(tmp_path: Path) -> None:
    when = "trigger:\n        file_arrival:\n          url: /Volumes/main/raw/landing/"
    assert _outcome(_tree(tmp_path, {"resources/jobs.yml": BUNDLE.format(key="retrain", when=when)}), "triggers_retraining")[0] is FindingOutcome.pass_


def test_a_paused_or_scoring_databricks_job_is_not_retraining(tmp_path: Path) -> None:
    paused = {"databricks.yml": BUNDLE.format(key="train_model", when=CRON.format(paused="\n        pause_status: PAUSED"))}
    assert _outcome(_tree(tmp_path / "a", paused), "triggers_retraining")[0] is FindingOutcome.fail
    scoring = {"databricks.yml": BUNDLE.format(key="batch_inference", when=CRON.format(paused=""))}
    assert _outcome(_tree(tmp_path / "b", scoring), "triggers_retraining")[0] is FindingOutcome.fail


# --- round 2 (after batch 16 was measured): each category also seen in 1-3 spent repositories ------


def test_a_data_schema_page_in_the_docs_is_a_design_document_and_an_api_schema_heading_is_not(tmp_path: Path) -> None:
    code = {"src/train.py": TRAIN, "src/serve.py": TRAIN}
    schema = {"docs/schema.md": _doc("Data schema", ["Services", "Locations"]), **code}
    assert _outcome(_tree(tmp_path / "a", schema), "has_design_docs")[0] is FindingOutcome.pass_
    api = {"docs/api.md": _doc("API", ["Schema", "Errors"]), **code}
    assert _outcome(_tree(tmp_path / "b", api), "has_design_docs")[0] is FindingOutcome.fail


def test_an_evaluation_framework_section_in_the_docs_is_a_design_document(tmp_path: Path) -> None:
    files = {"docs/safety.md": _doc("Safety", ["Evaluation framework", "Metrics"]), "src/train.py": TRAIN, "src/serve.py": TRAIN}
    assert _outcome(_tree(tmp_path, files), "has_design_docs")[0] is FindingOutcome.pass_


def _workbook(query: str) -> str:
    return json.dumps({"version": "Notebook/1.0", "items": [{"type": 3, "content": {"version": "KqlItem/1.0", "query": query, "title": "daily"}}]})


def test_an_azure_workbook_over_the_model_s_detections_is_partial_monitoring(tmp_path: Path) -> None:
    board = _workbook('AppTraces | where Message has "Detections per image" | summarize avg(Persons) by bin(TimeGenerated, 1d)')
    outcome, message = _outcome(_tree(tmp_path, {"dashboard/monitoring.workbook": board, "app.py": "print('x')\n"}), "monitors_model")
    assert outcome is FindingOutcome.partial and "workbook" in message, message


def test_an_azure_workbook_of_storage_costs_is_not_the_model_s(tmp_path: Path) -> None:
    board = _workbook("AzureMetrics | where ResourceProvider == 'MICROSOFT.STORAGE' | summarize sum(Total) by bin(TimeGenerated, 1d)")
    assert _outcome(_tree(tmp_path, {"dashboard/costs.workbook": board, "app.py": "print('x')\n"}), "monitors_model")[0] is FindingOutcome.fail


SCHEDULER = """\
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

scheduler = AsyncIOScheduler()


def start(jobs):
    scheduler.add_job({job}, trigger=CronTrigger(hour=0, minute=30), id="daily")
    scheduler.start()
"""


def test_a_scheduled_job_computing_the_model_s_evaluation_is_partial_monitoring(tmp_path: Path) -> None:
    outcome, message = _outcome(_tree(tmp_path, {"backend/scheduler.py": SCHEDULER.format(job="jobs.run_daily_evaluation")}), "monitors_model")
    assert outcome is FindingOutcome.partial and "scheduled job" in message, message


def test_a_scheduled_clean_up_or_scoring_job_is_not_monitoring(tmp_path: Path) -> None:
    for i, job in enumerate(("cleanup_tmp_files", "jobs.run_hourly_forecast")):
        assert _outcome(_tree(tmp_path / str(i), {"backend/scheduler.py": SCHEDULER.format(job=job)}), "monitors_model")[0] is FindingOutcome.fail, job


DATA_PUSH = """\
name: retrain
on:
  push:
    branches: [main]
    paths:
{paths}
jobs:
  train:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: dvc pull && python src/train.py
"""


def test_a_workflow_that_trains_when_a_new_data_version_is_pushed_triggers_retraining(tmp_path: Path) -> None:
    files = {".github/workflows/retrain.yml": DATA_PUSH.format(paths="      - 'data/raw/iris.csv.dvc'\n      - 'dvc.lock'"), "src/train.py": TRAIN}
    outcome, message = _outcome(_tree(tmp_path, files), "triggers_retraining")
    assert outcome is FindingOutcome.pass_ and "new data" in message, message


def test_a_workflow_that_trains_on_code_or_data_pushes_is_a_code_push(tmp_path: Path) -> None:
    files = {".github/workflows/retrain.yml": DATA_PUSH.format(paths="      - 'data/**'\n      - 'src/**'"), "src/train.py": TRAIN}
    assert _outcome(_tree(tmp_path, files), "triggers_retraining")[0] is FindingOutcome.fail


def test_a_changed_files_gate_on_the_data_pointer_starts_training_on_new_data(tmp_path: Path) -> None:
    workflow = DATA_PUSH.format(paths="      - 'src/**'\n      - 'data/raw/iris.csv.dvc'").replace(
        "      - run: dvc pull",
        "      - id: changed\n        uses: tj-actions/changed-files@v44\n        with:\n          files: |\n            data/raw/iris.csv.dvc\n"
        "      - if: steps.changed.outputs.any_changed == 'true'\n        run: dvc pull",
    )
    assert _outcome(_tree(tmp_path, {".github/workflows/retrain.yml": workflow, "src/train.py": TRAIN}), "triggers_retraining")[0] is FindingOutcome.pass_


def test_a_data_workflow_on_pull_requests_reporting_statistics_is_not_retraining(tmp_path: Path) -> None:
    workflow = "on:\n  pull_request:\n    paths:\n      - '**/*.dvc'\njobs:\n  stats:\n    runs-on: ubuntu-latest\n    steps:\n      - run: python src/dataset_statistics.py\n"
    stats = "import pandas as pd\n\nprint(pd.read_csv('data/train.csv').describe())\n"
    assert _outcome(_tree(tmp_path, {".github/workflows/data.yml": workflow, "src/dataset_statistics.py": stats}), "triggers_retraining")[0] is FindingOutcome.fail


# --- round 3 (batch 19, training data labelled this session) ----------------------------------------

PLANTUML = "@startuml\nnode \"Cloud Run\" {\n  component api\n  component worker\n}\ndatabase postgres\napi --> worker\nworker --> postgres\n@enduml\n"


def test_plantuml_deployment_diagrams_kept_as_code_are_design_documents(tmp_path: Path) -> None:
    files = {"docs/plantuml/deployment.puml": PLANTUML, "src/train.py": TRAIN, "src/serve.py": TRAIN}
    outcome, message = _outcome(_tree(tmp_path, files), "has_design_docs")
    assert outcome is FindingOutcome.pass_ and "diagram source" in message, message


def test_a_diagram_file_without_a_diagram_or_in_tests_is_not_one(tmp_path: Path) -> None:
    files = {"docs/todo.mmd": "TODO: draw the architecture\n", "tests/fixtures/flow.puml": PLANTUML, "src/train.py": TRAIN, "src/serve.py": TRAIN}
    assert _outcome(_tree(tmp_path, files), "has_design_docs")[0] is FindingOutcome.fail


def test_a_systemd_timer_whose_service_trains_triggers_retraining(tmp_path: Path) -> None:
    timer = "[Unit]\nDescription=nightly training\n\n[Timer]\nOnCalendar=daily\nPersistent=true\n\n[Install]\nWantedBy=timers.target\n"
    service = "[Service]\nType=oneshot\nWorkingDirectory=/srv/app\nExecStart=/srv/app/.venv/bin/python -m pipeline.run\n"
    files = {"deploy/systemd/app-train.timer.template": timer, "deploy/systemd/app-train.service.template": service,
             "pipeline/run.py": PIPELINE_TRAINS, "pipeline/steps.py": TRAIN}
    outcome, message = _outcome(_tree(tmp_path / "a", files), "triggers_retraining")
    assert outcome is FindingOutcome.pass_ and "systemd" in message, message
    backup = {"deploy/systemd/app-train.timer.template": timer,
              "deploy/systemd/app-train.service.template": service.replace("python -m pipeline.run", "pg_dump app")}
    assert _outcome(_tree(tmp_path / "b", backup), "triggers_retraining")[0] is FindingOutcome.fail


WORKFLOW_TEMPLATE = """\
apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata:
  name: model-update
spec:
  entrypoint: main
  templates:
    - name: main
      container:
        image: registry/app:latest
        command: [python, -m, {module}]
---
apiVersion: argoproj.io/v1alpha1
kind: CronWorkflow
metadata:
  name: model-update-cron
spec:
  schedules: ["0 18 * * 0"]
  workflowSpec:
    workflowTemplateRef:
      name: model-update
"""


def test_an_argo_cron_workflow_running_a_template_that_trains_triggers_retraining(tmp_path: Path) -> None:
    files = {"k8s/update.yaml": WORKFLOW_TEMPLATE.format(module="pipeline.run"), "pipeline/run.py": PIPELINE_TRAINS, "pipeline/steps.py": TRAIN}
    outcome, message = _outcome(_tree(tmp_path / "a", files), "triggers_retraining")
    assert outcome is FindingOutcome.pass_ and "CronWorkflow" in message, message
    scoring = {"k8s/update.yaml": WORKFLOW_TEMPLATE.format(module="pipeline.score"), "pipeline/score.py": PIPELINE_SCORES}
    assert _outcome(_tree(tmp_path / "b", scoring), "triggers_retraining")[0] is FindingOutcome.fail


def test_a_model_card_template_to_fill_in_is_not_a_design_document(tmp_path: Path) -> None:
    code = {"src/train.py": TRAIN, "src/serve.py": TRAIN}
    template = {"pkg/model_cards/empty_model_card_template.md": _doc("TEMPLATE", ["Model Description", "Intended use"]), **code}
    assert _outcome(_tree(tmp_path / "a", template), "has_design_docs")[0] is FindingOutcome.fail
    filled = {"pkg/model_cards/pv_uk_model_card.md": _doc("PVNet UK", ["Model Description", "Intended use"]), **code}
    assert _outcome(_tree(tmp_path / "b", filled), "has_design_docs")[0] is FindingOutcome.pass_
