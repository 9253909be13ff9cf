"""Pulumi resources as the Go, C# and Java SDKs spell them (`detectors/_pulumi`)."""

from __future__ import annotations

from mlops_audit.evidence.repo.detectors._pulumi import go_lines, object_lines, resources

WANTED = resources([
    "pulumi_aws.sagemaker.Endpoint", "pulumi_aws.ecs.Service", "pulumi_aws.lambda_.FunctionUrl", "pulumi_gcp.cloudrun.Service",
    "pulumi_kubernetes.apps.v1.Deployment", "pulumi_kubernetes.helm.v3.Release", "not_pulumi.x.Y",
])


def numbered(*lines: str) -> list[tuple[int, str]]:
    return list(enumerate(lines, start=1))


def test_module_keys_drop_dots_underscores_and_helm_sh() -> None:
    assert WANTED == {("sagemaker", "Endpoint"), ("ecs", "Service"), ("lambda", "FunctionUrl"), ("cloudrun", "Service"),
                      ("appsv1", "Deployment"), ("helmv3", "Release")}


def test_go_new_calls_by_package_or_alias() -> None:
    lines = numbered(
        'ep, err := sagemaker.NewEndpoint(ctx, "e", &sagemaker.EndpointArgs{})',
        '_, err = s3.NewBucket(ctx, "b", nil)',
        '_, err = appsv1.NewDeployment(ctx, "d", &appsv1.DeploymentArgs{})',
        '_, err = helm.NewRelease(ctx, "r", &helm.ReleaseArgs{})',
        '_, err = apprunner.NewService(ctx, "s", nil)',  # App Runner's Service is not ECS's
        '_, err = sagemaker.NewModel(ctx, "m", nil)',
    )
    assert go_lines(lines, WANTED) == [1, 3, 4]


def test_csharp_qualified_names_and_using_directives() -> None:
    lines = numbered(
        "using Pulumi;", "using Pulumi.Aws.Sagemaker;",
        'var ep = new Endpoint("e", new EndpointArgs { });',
        'var b = new Aws.S3.Bucket("b");',
        'var d = new Kubernetes.Apps.V1.Deployment("d", new() { });',
        'var s = new Gcp.CloudRun.Service("s");',
    )
    assert object_lines(lines, WANTED) == [3, 5, 6]
    assert object_lines(numbered("using Pulumi.Aws.S3;", 'var ep = new Endpoint("e");'), WANTED) == []


def test_java_imports_name_the_class() -> None:
    lines = numbered(
        "import com.pulumi.aws.ecs.Service;", "import com.pulumi.aws.s3.Bucket;",
        'var s = new Service("svc", ServiceArgs.builder().build());',
        'var b = new Bucket("b");',
        'var r = new com.pulumi.kubernetes.helm.sh.v3.Release("r", ReleaseArgs.builder().build());',
    )
    assert object_lines(lines, WANTED) == [3, 5]
