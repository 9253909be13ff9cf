"""Session 11's serving and orchestration rules, from the misses on teams' systems (batch 14, now spent):
workflow engines kept outside Python (Snakemake, Taskcluster), batch scoring run by them or by cron,
container entry points inside `sh -c` scripts, class-based views and service modules reached as a
module's attribute. Each rule with the practice it recognises and the near miss it must not."""

from __future__ import annotations

from pathlib import Path

from mlops_audit.evidence.repo.model import FindingOutcome
from tests.repo.test_recall_session7 import _outcome, _tree

PASS, FAIL = FindingOutcome.pass_, FindingOutcome.fail

# --- orchestrates_pipeline: rule `snakemake workflow of rules` --------------------------------------

SNAKEFILE = """\
rule all:
    input: expand("predictions/{site}.csv", site=SITES)

rule prepare:
    input: "raw/{site}.tif"
    output: "prepared/{site}.tif"
    shell: "python prepare.py {input} {output}"

rule predict:
    input: "prepared/{site}.tif"
    output: "predictions/{site}.csv"
    script: "scripts/predict.py"
"""


def test_a_snakefile_with_two_rules_that_run_commands_is_an_orchestrated_pipeline(tmp_path: Path) -> None:
    outcome, message = _outcome(_tree(tmp_path, {"workflow/Snakefile": SNAKEFILE}), "orchestrates_pipeline")
    assert outcome is PASS and "Snakemake" in message


def test_rules_split_over_included_smk_files_count_together(tmp_path: Path) -> None:
    files = {
        "workflow/Snakefile": 'include: "rules/prepare.smk"\ninclude: "rules/predict.smk"\n',
        "workflow/rules/prepare.smk": 'rule prepare:\n    output: "a.csv"\n    shell: "python prepare.py"\n',
        "workflow/rules/predict.smk": 'rule predict:\n    input: "a.csv"\n    run:\n        shell("python predict.py")\n',
    }
    assert _outcome(_tree(tmp_path, files), "orchestrates_pipeline")[0] is PASS


def test_one_acting_rule_beside_rule_all_is_not_a_pipeline(tmp_path: Path) -> None:
    single = 'rule all:\n    input: "report.html"\n\nrule report:\n    output: "report.html"\n    shell: "python report.py"\n'
    assert _outcome(_tree(tmp_path, {"Snakefile": single}), "orchestrates_pipeline")[0] is FAIL


def test_a_commented_out_rule_or_a_workflow_in_an_example_folder_is_not_a_pipeline(tmp_path: Path) -> None:
    commented = 'rule prepare:\n    shell: "python prepare.py"\n\n# rule predict:\n#     shell: "python predict.py"\n'
    files = {"Snakefile": commented, "examples/demo/Snakefile": SNAKEFILE}
    assert _outcome(_tree(tmp_path, files), "orchestrates_pipeline")[0] is FAIL


def test_two_unrelated_snakefiles_of_one_rule_each_are_not_a_pipeline(tmp_path: Path) -> None:
    # review11: rules were counted over every workflow file together
    files = {"a/Snakefile": 'rule clean:\n    shell: "rm -rf out"\n', "b/Snakefile": 'rule fetch:\n    shell: "wget https://example.org/d.csv"\n'}
    assert _outcome(_tree(tmp_path, files), "orchestrates_pipeline")[0] is FAIL
    files["b/rules/more.smk"] = 'rule prepare:\n    shell: "python prepare.py"\n'  # a second rule in b's workflow
    assert _outcome(_tree(tmp_path / "two", files), "orchestrates_pipeline")[0] is PASS


# --- orchestrates_pipeline: rule `taskcluster task graph` -------------------------------------------

def _task(task_id: str, command: str, depends: str | None = None) -> str:
    needs = f"    dependencies: [{depends}]\n" if depends else ""
    return f"  - ID: {task_id}\n    provisionerId: proj-acme\n    workerType: batch\n{needs}    payload:\n      image: acme/base:1.0\n      command: [{command}]\n"


def test_a_taskcluster_graph_whose_training_task_depends_on_retrieval_is_a_pipeline(tmp_path: Path) -> None:
    tasks = _task("retrieve", "acme-retrieve") + _task("train-model", "acme-train", "retrieve")
    json_e = "version: 1\ntasks:\n  $let:\n    v: 1\n  in:\n" + "".join("  " + line + "\n" for line in tasks.splitlines())
    outcome, message = _outcome(_tree(tmp_path, {"infra/data-pipeline.yml": json_e}), "orchestrates_pipeline")
    assert outcome is PASS and "Taskcluster" in message


def test_a_taskcluster_ci_graph_that_trains_nothing_or_has_no_dependency_is_not_a_pipeline(tmp_path: Path) -> None:
    ci = "version: 1\ntasks:\n" + _task("lint", "pre-commit, run") + _task("tests", "pytest", "lint")
    unchained = "version: 1\ntasks:\n" + _task("retrieve", "acme-retrieve") + _task("train", "acme-train")
    chained = "version: 1\ntasks:\n" + _task("retrieve", "acme-retrieve") + _task("train", "acme-train", "retrieve")
    assert _outcome(_tree(tmp_path / "ci", {"infra/checks.yml": ci}), "orchestrates_pipeline")[0] is FAIL
    assert _outcome(_tree(tmp_path / "unchained", {"infra/jobs.yml": unchained}), "orchestrates_pipeline")[0] is FAIL
    assert _outcome(_tree(tmp_path / "chained", {"infra/jobs.yml": chained}), "orchestrates_pipeline")[0] is PASS  # the control


# --- serves_model: batch scoring run by a workflow step, a cron table, an `sh -c` entry point ---------

# The scoring step of the fixture (a detector applied to each new tile, written next to its input).
PREDICT_TILE = (Path(__file__).parent / "fixtures/serves_model/pass-batch-scoring-step-of-a-publishing-workflow/predict.py").read_text(encoding="utf-8")

PUBLISHING_WORKFLOW = """\
rule predict_birds:
    input: "projected/{flight}.tif"
    output: "predictions/{flight}.shp"
    shell: "python predict.py {input}"

rule upload_predictions:
    input: expand("predictions/{flight}.shp", flight=FLIGHTS)
    output: touch("published.flag")
    shell: "bash archive_predictions.sh"
"""


def test_a_scoring_step_of_a_snakemake_workflow_that_uploads_its_outputs_serves(tmp_path: Path) -> None:
    outcome, message = _outcome(_tree(tmp_path, {"Snakefile": PUBLISHING_WORKFLOW, "predict.py": PREDICT_TILE}), "serves_model")
    assert outcome is PASS and "Snakemake workflow that publishes" in message


def test_a_prediction_step_of_a_workflow_that_publishes_nothing_or_also_trains_does_not_serve(tmp_path: Path) -> None:
    keeps = PUBLISHING_WORKFLOW.replace("upload_predictions", "combine").replace("bash archive_predictions.sh", "python combine.py")
    assert _outcome(_tree(tmp_path / "keeps", {"Snakefile": keeps, "predict.py": PREDICT_TILE}), "serves_model")[0] is FAIL
    experiment = PUBLISHING_WORKFLOW + '\nrule train_detector:\n    output: "model.pt"\n    shell: "python train.py"\n'
    assert _outcome(_tree(tmp_path / "experiment", {"Snakefile": experiment, "predict.py": PREDICT_TILE}), "serves_model")[0] is FAIL


SCORE_TO_DB = """\
import joblib
import pandas as pd
import sqlalchemy

engine = sqlalchemy.create_engine("postgresql://scoring@db/crm")
customers = pd.read_sql("select * from customers_to_score", engine)
model = joblib.load("models/churn.joblib")
customers["p"] = model.predict_proba(customers)[:, 1]
customers.to_sql("churn_scores", engine, if_exists="replace")
"""


def test_a_scoring_job_on_a_cron_schedule_serves(tmp_path: Path) -> None:
    cron = "MAILTO=ops@example.org\n30 2 * * * cd /srv && python -m jobs.score_customers >> /var/log/score.log\n"
    outcome, message = _outcome(_tree(tmp_path, {"deploy/crontab": cron, "jobs/score_customers.py": SCORE_TO_DB}), "serves_model")
    assert outcome is PASS and "cron" in message


def test_a_scoring_job_whose_cron_line_is_commented_out_does_not_serve(tmp_path: Path) -> None:
    cron = "# 30 2 * * * python jobs/score_customers.py\n"
    assert _outcome(_tree(tmp_path, {"crontab": cron, "jobs/score_customers.py": SCORE_TO_DB}), "serves_model")[0] is FAIL


def test_a_scoring_script_started_inside_an_sh_c_container_command_serves(tmp_path: Path) -> None:
    dockerfile = (
        "FROM python:3.12\nCOPY . /app\n"
        'CMD ["sh", "-c", "echo \\"mode=$RUN_MODE\\" && if [ \\"$RUN_MODE\\" = \\"forecast\\" ]; then uv run score_customers.py; fi"]\n'
    )
    outcome, message = _outcome(_tree(tmp_path, {"jobs/Dockerfile": dockerfile, "jobs/score_customers.py": SCORE_TO_DB}), "serves_model")
    assert outcome is PASS and "container image" in message


def test_an_sh_c_container_command_that_only_echoes_a_script_name_runs_nothing_of_it(tmp_path: Path) -> None:
    dockerfile = 'FROM python:3.12\nCMD ["sh", "-c", "echo run-me-by-hand: score_customers.py.bak"]\n'
    assert _outcome(_tree(tmp_path, {"jobs/Dockerfile": dockerfile, "jobs/score_customers.py": SCORE_TO_DB}), "serves_model")[0] is FAIL


# --- serves_model: class-based views and service modules reached as a module's attribute -------------

RESOURCE_VIEW = """\
from flask import request
from flask_restx import Namespace, Resource

from recommender.services.engine_selector import load_engine

api = Namespace("recommendations")


@api.route("")
class Recommendation(Resource):
    def post(self):
        return self.process_request(request.get_json())

    @staticmethod
    def process_request(body):
        engine = load_engine(body)
        return {"recommendations": engine(body)}
"""

ENGINE_SELECTOR = """\
from recommender.engines.ncf.inference.ranking_component import NCFRankingComponent


def load_engine(body):
    return NCFRankingComponent(k=body.get("k", 3))
"""


def test_a_class_based_view_whose_method_calls_a_service_building_an_inference_component_serves(tmp_path: Path) -> None:
    files = {"recommender/api/recommendations.py": RESOURCE_VIEW, "recommender/services/engine_selector.py": ENGINE_SELECTOR}
    outcome, message = _outcome(_tree(tmp_path, files), "serves_model")
    assert outcome is PASS and "service function" in message


def test_a_service_building_an_orm_or_pydantic_model_object_does_not_serve(tmp_path: Path) -> None:
    selector = "from recommender.db.tables import UserModel\n\n\ndef load_engine(body):\n    return UserModel(id=body['user'])\n"
    files = {"recommender/api/recommendations.py": RESOURCE_VIEW, "recommender/services/engine_selector.py": selector}
    assert _outcome(_tree(tmp_path, files), "serves_model")[0] is FAIL


ROUTE_ON_MODULE = """\
from fastapi import APIRouter

from matcher.interface import score

router = APIRouter()


@router.get("/person/score/{match_id}")
async def get_person_score(match_id: str):
    return await score.get_scored_candidates(match_id)
"""


def test_a_route_calling_a_function_on_an_imported_service_module_follows_it_to_the_model(tmp_path: Path) -> None:
    service = "async def get_scored_candidates(match_id):\n    model = load_model('models/linker.json')\n    return model.predict(match_id)\n"
    files = {"app/routes/person_score.py": ROUTE_ON_MODULE, "matcher/interface/score.py": service}
    assert _outcome(_tree(tmp_path, files), "serves_model")[0] is PASS


def test_a_service_package_init_is_followed_and_one_that_only_reads_the_database_does_not_serve(tmp_path: Path) -> None:
    route = ROUTE_ON_MODULE.replace("from matcher.interface import score", "from matcher.score import get_scored_candidates").replace(
        "score.get_scored_candidates", "get_scored_candidates"
    )
    predicts = "async def get_scored_candidates(match_id):\n    return classifier.predict(match_id)\n"
    reads = "async def get_scored_candidates(match_id):\n    return await db.fetch_all('select * from scores where id = :id', id=match_id)\n"
    assert _outcome(_tree(tmp_path / "p", {"app/routes/s.py": route, "matcher/score/__init__.py": predicts}), "serves_model")[0] is PASS
    assert _outcome(_tree(tmp_path / "r", {"app/routes/s.py": route, "matcher/score/__init__.py": reads}), "serves_model")[0] is FAIL


# --- serves_model: a scoring job run by a scheduled or dispatched CI workflow -------------------------

SCORE_TO_S3 = """\
import boto3
import joblib
import pandas as pd

frame = pd.read_csv("library/reference.csv")
model = joblib.load("models/model.joblib")
frame["prediction"] = model.predict(frame)
frame.to_csv("out.csv")
boto3.client("s3").upload_file("out.csv", "acme-predictions", "latest.csv")
"""


def _workflow(on: str) -> str:
    return f"name: predict\non: {on}\njobs:\n  infer:\n    runs-on: ubuntu-latest\n    steps:\n      - run: python scripts/generate_predictions.py --env ci\n"


def test_a_scoring_job_run_by_a_scheduled_or_dispatched_workflow_serves(tmp_path: Path) -> None:
    for on in ("[workflow_dispatch]", "{schedule: [{cron: '0 4 * * 1'}]}", "[workflow_call]"):
        root = _tree(tmp_path / on.strip("[]{}:' ").split(":")[0], {".github/workflows/predict.yml": _workflow(on), "scripts/generate_predictions.py": SCORE_TO_S3})
        outcome, message = _outcome(root, "serves_model")
        assert outcome is PASS and "scheduled or dispatched CI workflow" in message, on


def test_a_scoring_script_run_by_a_pull_request_or_push_workflow_is_a_check_not_a_service(tmp_path: Path) -> None:
    for on in ("[pull_request]", "[push]", "[workflow_dispatch, pull_request]"):
        root = _tree(tmp_path / on.strip("[]").replace(", ", "-"), {".github/workflows/predict.yml": _workflow(on), "scripts/generate_predictions.py": SCORE_TO_S3})
        assert _outcome(root, "serves_model")[0] is FAIL, on


# --- orchestrates_pipeline: a SageMaker pipeline declared in Terraform or CloudFormation ---------------

TF_PIPELINE = """\
resource "aws_sagemaker_pipeline" "training" {
  pipeline_name         = "${var.project}-training"
  role_arn              = var.role_arn
  pipeline_definition   = jsonencode({ Version = "2020-12-01", Steps = [] })
}
"""


def test_a_sagemaker_pipeline_resource_in_terraform_is_an_orchestrated_pipeline(tmp_path: Path) -> None:
    outcome, message = _outcome(_tree(tmp_path, {"infra/pipeline.tf": TF_PIPELINE}), "orchestrates_pipeline")
    assert outcome is PASS and "SageMaker pipelines" in message


def test_a_role_for_sagemaker_pipelines_or_a_commented_out_pipeline_resource_is_not_a_pipeline(tmp_path: Path) -> None:
    role = 'resource "aws_iam_role" "sagemaker_pipeline" {\n  name = "pipeline-role"\n}\n'
    commented = "".join("# " + line + "\n" for line in TF_PIPELINE.splitlines())
    assert _outcome(_tree(tmp_path, {"infra/iam.tf": role, "infra/pipeline.tf": commented}), "orchestrates_pipeline")[0] is FAIL


# --- has_deployment_manifest: an API declared in a CDK app ------------------------------------------------

CDK_STACK = """\
from aws_cdk import Stack, aws_apigateway as apigateway, aws_lambda as lambda_


class PredictionsStack(Stack):
    def __init__(self, scope, construct_id, **kwargs):
        super().__init__(scope, construct_id, **kwargs)
        fetch = lambda_.Function(self, "Fetch", runtime=lambda_.Runtime.PYTHON_3_12, handler="fetch.handler", code=lambda_.Code.from_asset("lambda"))
        api = apigateway.RestApi(self, "PredictionsApi")
        api.root.add_resource("predictions").add_method("GET", apigateway.LambdaIntegration(fetch))
"""


def test_a_rest_api_in_front_of_lambda_functions_in_a_cdk_app_is_a_deployment(tmp_path: Path) -> None:
    files = {"infra/cdk.json": '{"app": "python app.py"}', "infra/stacks/predictions_stack.py": CDK_STACK}
    outcome, message = _outcome(_tree(tmp_path, files), "has_deployment_manifest")
    assert outcome is PASS and "AWS CDK" in message


def test_the_same_stack_outside_a_cdk_app_is_never_synthesised(tmp_path: Path) -> None:
    assert _outcome(_tree(tmp_path, {"infra/stacks/predictions_stack.py": CDK_STACK}), "has_deployment_manifest")[0] is FAIL


# --- examples are examples: a Dockerfile or DVC pipeline only in an example folder (conventions §2, §5) ----

def test_a_dockerfile_only_in_an_example_folder_is_not_the_projects_image(tmp_path: Path) -> None:
    dockerfile = "FROM python:3.12\nCOPY task.py /app/\nCMD [\"python\", \"/app/task.py\"]\n"
    outcome, message = _outcome(_tree(tmp_path / "ex", {"examples/simple-spark/Dockerfile": dockerfile}), "has_container")
    assert outcome is FAIL and "example" in message
    assert _outcome(_tree(tmp_path / "own", {"examples/simple-spark/Dockerfile": dockerfile, "Dockerfile": dockerfile}), "has_container")[0] is PASS


def test_a_dvc_pipeline_only_in_an_example_folder_is_not_the_projects_pipeline(tmp_path: Path) -> None:
    dvc = "stages:\n  prepare:\n    cmd: python prepare.py\n  enrich:\n    cmd: python enrich.py\n"
    assert _outcome(_tree(tmp_path / "ex", {"examples/simple-dvc/dvc.yaml": dvc}), "orchestrates_pipeline")[0] is FAIL
    assert _outcome(_tree(tmp_path / "own", {"dvc.yaml": dvc}), "orchestrates_pipeline")[0] is PASS


# --- serves_model: Lambda handlers found where the function is declared, whatever the file's name --------

PREDICT_HANDLER = """\
import json

from transformers import pipeline

classifier = None


def predict(event, _ctx):
    global classifier
    classifier = classifier or pipeline("sentiment-analysis", model="/opt/ml/model")
    return {"statusCode": 200, "body": json.dumps(classifier(json.loads(event["body"])["text"]))}
"""


def test_a_sam_function_whose_handler_module_runs_a_model_serves(tmp_path: Path) -> None:
    template = (
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Predict:\n    Type: AWS::Serverless::Function\n"
        "    Properties:\n      CodeUri: inference/\n      Handler: sentiment.predict\n      Runtime: python3.12\n"
    )
    files = {"template.yaml": template, "inference/sentiment.py": PREDICT_HANDLER}
    outcome, message = _outcome(_tree(tmp_path, files), "serves_model")
    assert outcome is PASS and "cloud function" in message


def test_a_lambda_container_image_names_its_handler_module_in_cmd(tmp_path: Path) -> None:
    dockerfile = "FROM public.ecr.aws/lambda/python:3.12\nCOPY app/ ${LAMBDA_TASK_ROOT}\nCMD [\"sentiment.predict\"]\n"
    assert _outcome(_tree(tmp_path, {"Dockerfile": dockerfile, "app/sentiment.py": PREDICT_HANDLER}), "serves_model")[0] is PASS


def test_a_module_no_function_declaration_names_is_not_a_handler(tmp_path: Path) -> None:
    # The same module in an ordinary image (not a Lambda base) and no declaration: a script with a function.
    dockerfile = "FROM python:3.12\nCOPY app/ /app\nCMD [\"sentiment.predict\"]\n"
    assert _outcome(_tree(tmp_path, {"Dockerfile": dockerfile, "app/sentiment.py": PREDICT_HANDLER}), "serves_model")[0] is FAIL


# --- serves_model: a scoring job run by a compose service of the system ----------------------------------

def test_a_scoring_job_a_compose_service_runs_serves(tmp_path: Path) -> None:
    compose = "services:\n  db:\n    image: postgres:16\n  scorer:\n    build: .\n    command: [python, jobs/score_customers.py, --every, 1h]\n"
    outcome, message = _outcome(_tree(tmp_path, {"docker-compose.yml": compose, "jobs/score_customers.py": SCORE_TO_DB}), "serves_model")
    assert outcome is PASS and "compose service" in message


def test_a_scoring_job_only_a_test_or_example_compose_file_runs_does_not_serve(tmp_path: Path) -> None:
    compose = "services:\n  scorer:\n    build: .\n    command: python jobs/score_customers.py\n"
    test_only = {"docker-compose.test.yml": compose, "jobs/score_customers.py": SCORE_TO_DB}
    example_only = {"examples/local/docker-compose.yml": compose, "jobs/score_customers.py": SCORE_TO_DB}
    assert _outcome(_tree(tmp_path / "test", test_only), "serves_model")[0] is FAIL
    assert _outcome(_tree(tmp_path / "example", example_only), "serves_model")[0] is FAIL
