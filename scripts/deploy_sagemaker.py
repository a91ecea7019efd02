#!/usr/bin/env python3
"""Deploy Tandem to a SageMaker real-time endpoint with weighted production variants.

  deploy_sagemaker.py upload  model.tar.gz s3://bucket/prefix/model.tar.gz
  deploy_sagemaker.py deploy  --endpoint tandem-demo --image URI --role ARN \\
      --variant control=s3://bucket/v1/model.tar.gz,weight=0.8 \\
      --variant challenger=s3://bucket/v2/model.tar.gz,weight=0.2,instance-type=ml.c5.large \\
      [--shadow shadow=s3://bucket/v3/model.tar.gz] [--env KEY=VALUE] [--wait]
  deploy_sagemaker.py weights --endpoint tandem-demo control=0.5 challenger=0.5,count=2 [--wait]
  deploy_sagemaker.py describe --endpoint tandem-demo
  deploy_sagemaker.py delete  --endpoint tandem-demo
  deploy_sagemaker.py train   --job bc-depth4 --image URI --role ARN --train s3://bucket/data/train/ \\
      [--validation s3://bucket/data/validation/] --output s3://bucket/models/ \\
      --hyperparameter objective=binary:logistic --hyperparameter max_depth=4 [--wait]

deploy creates one SageMaker model per variant (image + ModelDataUrl), a new endpoint config
(configs are immutable) with ProductionVariants and optional ShadowProductionVariants, then
creates the endpoint or, if it exists, updates it to the new config. weights changes traffic
shares in place with UpdateEndpointWeightsAndCapacities (no new instances). A single variant
whose model.tar.gz holds a repository + endpoint.yaml also works: the container then splits
traffic itself and the SageMaker variant is just the fleet.

Variant spec: NAME=S3URI[,weight=W][,instance-type=T][,count=N]
              [,serverless-memory=MB,max-concurrency=N]   (serverless instead of instances)
train starts a SageMaker training job with the same image (`IMAGE train`, docs/training.md): File-mode
S3 channels, string hyperparameters, metric definitions for the `name: value` lines `tandem train`
prints, checkpoints synced to S3 with --checkpoint; its model.tar.gz is what `deploy` serves.

Global options --region and --endpoint-url (e.g. a moto server) come before the subcommand.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

NAME_RE = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")  # SageMaker EndpointName/VariantName/ModelName
S3_RE = re.compile(r"^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/.+")
DEFAULT_INSTANCE_TYPE = "ml.m5.large"


class DeployError(Exception):
    """Invalid input or an endpoint in the wrong state; reported without a traceback."""


@dataclass(frozen=True)
class VariantSpec:
    """One production (or shadow) variant: which model.tar.gz and how much capacity."""

    name: str
    model_data: str
    weight: float = 1.0
    instance_type: str = DEFAULT_INSTANCE_TYPE
    count: int = 1
    serverless_memory: int | None = None
    max_concurrency: int | None = None

    def production_variant(self, model_name: str, startup_timeout: int | None) -> dict[str, Any]:
        variant: dict[str, Any] = {
            "VariantName": self.name,
            "ModelName": model_name,
            "InitialVariantWeight": self.weight,
        }
        if self.serverless_memory is not None:
            variant["ServerlessConfig"] = {
                "MemorySizeInMB": self.serverless_memory,
                "MaxConcurrency": self.max_concurrency or 1,
            }
        else:
            variant["InstanceType"] = self.instance_type
            variant["InitialInstanceCount"] = self.count
            if startup_timeout is not None:
                variant["ContainerStartupHealthCheckTimeoutInSeconds"] = startup_timeout
        return variant


@dataclass
class Plan:
    """Every SageMaker call deploy makes, computed before any is made."""

    endpoint: str
    endpoint_config: dict[str, Any]
    models: list[dict[str, Any]] = field(default_factory=list)


def parse_variant(text: str) -> VariantSpec:
    """NAME=S3URI[,key=value...] -> VariantSpec (see the module doc for the keys)."""
    head, _, rest = text.partition(",")
    name, sep, model_data = head.partition("=")
    if not sep or not name or not model_data:
        raise DeployError(f"variant {text!r}: expected NAME=S3URI[,key=value...]")
    check_name(name, "variant")
    if not S3_RE.match(model_data):
        raise DeployError(f"variant {name}: model data must be an s3://bucket/key URI, got {model_data!r}")
    options: dict[str, Any] = {}
    for item in filter(None, rest.split(",")):
        key, sep, value = item.partition("=")
        try:
            if key == "weight":
                options["weight"] = float(value)
                if options["weight"] < 0:
                    raise ValueError
            elif key == "instance-type":
                if not value.startswith("ml."):
                    raise ValueError
                options["instance_type"] = value
            elif key in ("count", "serverless-memory", "max-concurrency"):
                number = int(value)
                if number < 1:
                    raise ValueError
                options[{"count": "count", "serverless-memory": "serverless_memory",
                         "max-concurrency": "max_concurrency"}[key]] = number
            else:
                raise DeployError(f"variant {name}: unknown option {key!r}")
        except ValueError as error:
            raise DeployError(f"variant {name}: bad value for {key}: {value!r}") from error
    return VariantSpec(name=name, model_data=model_data, **options)


def check_name(name: str, what: str) -> None:
    if len(name) > 63 or not NAME_RE.match(name):
        raise DeployError(f"{what} name {name!r} must match {NAME_RE.pattern} (at most 63 characters)")


def default_suffix() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")


def build_plan(endpoint: str, image: str, role: str, variants: list[VariantSpec],
               shadow: VariantSpec | None = None, environment: dict[str, str] | None = None,
               suffix: str | None = None, startup_timeout: int | None = None) -> Plan:
    """Models and the endpoint config for one deploy; pure, so it is tested without AWS."""
    check_name(endpoint, "endpoint")
    if not variants:
        raise DeployError("at least one --variant is required")
    if len(variants) > 10:
        raise DeployError("SageMaker allows at most 10 production variants")
    names = [v.name for v in variants] + ([shadow.name] if shadow else [])
    if len(set(names)) != len(names):
        raise DeployError(f"variant names must be unique: {names}")
    if shadow is not None and len(variants) != 1:
        raise DeployError("a shadow variant needs exactly one production variant")
    if sum(v.weight for v in variants) <= 0:
        raise DeployError("at least one production variant needs a weight > 0")
    suffix = suffix or default_suffix()
    config_name = f"{endpoint}-{suffix}"
    check_name(config_name, "endpoint config")
    plan = Plan(endpoint=endpoint, endpoint_config={"EndpointConfigName": config_name, "ProductionVariants": []})
    for spec in variants + ([shadow] if shadow else []):
        model_name = f"{endpoint}-{spec.name}-{suffix}"
        check_name(model_name, "model")
        container: dict[str, Any] = {"Image": image, "ModelDataUrl": spec.model_data, "Mode": "SingleModel"}
        if environment:
            container["Environment"] = dict(environment)
        plan.models.append({"ModelName": model_name, "ExecutionRoleArn": role, "PrimaryContainer": container})
        variant = spec.production_variant(model_name, startup_timeout)
        if spec is shadow:
            plan.endpoint_config["ShadowProductionVariants"] = [variant]
        else:
            plan.endpoint_config["ProductionVariants"].append(variant)
    return plan


def endpoint_status(sm: Any, endpoint: str) -> str | None:
    """The endpoint's status, or None when it does not exist."""
    try:
        return sm.describe_endpoint(EndpointName=endpoint)["EndpointStatus"]
    except sm.exceptions.ClientError as error:
        if error.response.get("Error", {}).get("Code") == "ValidationException":
            return None
        raise


def apply_plan(sm: Any, plan: Plan) -> str:
    """Create the models and config, then create or update the endpoint; returns 'created'/'updated'."""
    for model in plan.models:
        sm.create_model(**model)
    sm.create_endpoint_config(**plan.endpoint_config)
    config_name = plan.endpoint_config["EndpointConfigName"]
    status = endpoint_status(sm, plan.endpoint)
    if status is None:
        sm.create_endpoint(EndpointName=plan.endpoint, EndpointConfigName=config_name)
        return "created"
    if status not in ("InService", "Failed"):
        raise DeployError(f"endpoint {plan.endpoint} is {status}; wait until it is InService")
    sm.update_endpoint(EndpointName=plan.endpoint, EndpointConfigName=config_name)
    return "updated"


def parse_weight(text: str) -> dict[str, Any]:
    """VARIANT=WEIGHT[,count=N] -> one DesiredWeightsAndCapacities entry."""
    head, _, rest = text.partition(",")
    name, sep, weight = head.partition("=")
    if not sep:
        raise DeployError(f"weight {text!r}: expected VARIANT=WEIGHT[,count=N]")
    check_name(name, "variant")
    try:
        entry: dict[str, Any] = {"VariantName": name, "DesiredWeight": float(weight)}
        if entry["DesiredWeight"] < 0:
            raise ValueError
        for item in filter(None, rest.split(",")):
            key, _, value = item.partition("=")
            if key != "count" or int(value) < 1:
                raise ValueError
            entry["DesiredInstanceCount"] = int(value)
    except ValueError as error:
        raise DeployError(f"weight {text!r}: weight must be a number >= 0, count an integer >= 1") from error
    return entry


def update_weights(sm: Any, endpoint: str, entries: list[dict[str, Any]]) -> dict[str, Any]:
    """UpdateEndpointWeightsAndCapacities after checking that every variant exists."""
    if not entries:
        raise DeployError("give at least one VARIANT=WEIGHT")
    try:
        described = sm.describe_endpoint(EndpointName=endpoint)
    except sm.exceptions.ClientError as error:
        raise DeployError(f"endpoint {endpoint}: {error}") from error
    if described["EndpointStatus"] != "InService":
        raise DeployError(f"endpoint {endpoint} is {described['EndpointStatus']}; weights change only when InService")
    current = {v["VariantName"]: v for v in described.get("ProductionVariants", [])}
    unknown = [e["VariantName"] for e in entries if e["VariantName"] not in current]
    if unknown:
        raise DeployError(f"endpoint {endpoint} has no variant(s) {unknown}; it has {sorted(current)}")
    # Keep instance counts explicit: a weight-only change must not be read as "scale to nothing".
    entries = [dict(e) for e in entries]
    for entry in entries:
        count = current[entry["VariantName"]].get("CurrentInstanceCount")
        if "DesiredInstanceCount" not in entry and count:
            entry["DesiredInstanceCount"] = count
    return sm.update_endpoint_weights_and_capacities(EndpointName=endpoint, DesiredWeightsAndCapacities=entries)


def wait_in_service(sm: Any, endpoint: str, timeout: float, poll: float = 15.0) -> str:
    """Polls until InService (returned) or Failed / timeout (DeployError)."""
    deadline = time.monotonic() + timeout
    while True:
        described = sm.describe_endpoint(EndpointName=endpoint)
        status = described["EndpointStatus"]
        if status == "InService":
            return status
        if status == "Failed":
            raise DeployError(f"endpoint {endpoint} failed: {described.get('FailureReason', 'no reason given')}")
        if time.monotonic() >= deadline:
            raise DeployError(f"endpoint {endpoint} still {status} after {timeout:.0f} s")
        time.sleep(poll)


def summary(sm: Any, endpoint: str) -> dict[str, Any]:
    """Endpoint status and per-variant weights/instances, as plain JSON."""
    described = sm.describe_endpoint(EndpointName=endpoint)
    return {
        "EndpointName": described["EndpointName"],
        "EndpointStatus": described["EndpointStatus"],
        "EndpointConfigName": described.get("EndpointConfigName"),
        "ProductionVariants": [
            {key: v.get(key) for key in ("VariantName", "CurrentWeight", "DesiredWeight",
                                         "CurrentInstanceCount", "DesiredInstanceCount")}
            for v in described.get("ProductionVariants", [])
        ],
        "ShadowProductionVariants": [v.get("VariantName") for v in described.get("ShadowProductionVariants", [])],
    }


def delete(sm: Any, endpoint: str, keep_models: bool) -> list[str]:
    """Deletes the endpoint, its current config and (unless keep_models) that config's models."""
    described = sm.describe_endpoint(EndpointName=endpoint)
    config_name = described["EndpointConfigName"]
    config = sm.describe_endpoint_config(EndpointConfigName=config_name)
    models = [v["ModelName"] for v in config["ProductionVariants"] + config.get("ShadowProductionVariants", [])]
    sm.delete_endpoint(EndpointName=endpoint)
    sm.delete_endpoint_config(EndpointConfigName=config_name)
    deleted = [endpoint, config_name]
    if not keep_models:
        for model in models:
            sm.delete_model(ModelName=model)
            deleted.append(model)
    return deleted


def upload(s3: Any, path: str, uri: str) -> str:
    """Uploads a model.tar.gz to s3://bucket/key; returns the URI."""
    if not S3_RE.match(uri):
        raise DeployError(f"{uri!r} is not an s3://bucket/key URI")
    bucket, key = uri[len("s3://"):].split("/", 1)
    s3.upload_file(path, bucket, key)
    return uri


# The metrics `tandem train` prints as "train-<metric>: <value>" / "validation-<metric>: <value>".
TRAINING_METRICS = ("rmse", "mae", "logloss", "error", "auc", "mlogloss", "merror")


def build_training_job(job: str, image: str, role: str, train: str, output: str, validation: str | None = None,
                       hyperparameters: dict[str, str] | None = None, content_type: str = "text/csv",
                       instance_type: str = "ml.m5.xlarge", volume_gb: int = 30, max_seconds: int = 86400,
                       checkpoint: str | None = None) -> dict[str, Any]:
    """The CreateTrainingJob request for a Tandem training job (one instance, File mode)."""
    check_name(job, "training job")
    for uri in [train, output] + [u for u in (validation, checkpoint) if u]:
        if not S3_RE.match(uri):
            raise DeployError(f"{uri!r} is not an s3://bucket/key URI")

    def channel(name: str, uri: str) -> dict[str, Any]:
        return {"ChannelName": name, "ContentType": content_type, "CompressionType": "None", "InputMode": "File",
                "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": uri,
                                                "S3DataDistributionType": "FullyReplicated"}}}

    request: dict[str, Any] = {
        "TrainingJobName": job,
        "AlgorithmSpecification": {
            "TrainingImage": image, "TrainingInputMode": "File",
            "MetricDefinitions": [{"Name": f"{side}:{m}", "Regex": f"{side}-{m}: ([-+0-9.eE]+|nan)"}
                                  for side in ("train", "validation") for m in TRAINING_METRICS]},
        "RoleArn": role,
        "InputDataConfig": [channel("train", train)] + ([channel("validation", validation)] if validation else []),
        "OutputDataConfig": {"S3OutputPath": output},
        "ResourceConfig": {"InstanceType": instance_type, "InstanceCount": 1, "VolumeSizeInGB": volume_gb},
        "StoppingCondition": {"MaxRuntimeInSeconds": max_seconds},
        "HyperParameters": {k: str(v) for k, v in (hyperparameters or {}).items()},
    }
    if checkpoint:
        request["CheckpointConfig"] = {"S3Uri": checkpoint, "LocalPath": "/opt/ml/checkpoints"}
    return request


def wait_training(sm: Any, job: str, timeout: float, poll: float = 30.0) -> str:
    """Polls DescribeTrainingJob until the job ends; returns its status and model artifact, or raises."""
    deadline = time.monotonic() + timeout
    while True:
        described = sm.describe_training_job(TrainingJobName=job)
        status = described["TrainingJobStatus"]
        if status == "Completed":
            return f"{job}: Completed, model {described.get('ModelArtifacts', {}).get('S3ModelArtifacts')}"
        if status in ("Failed", "Stopped"):
            raise DeployError(f"training job {job} {status}: {described.get('FailureReason', '')}")
        if time.monotonic() > deadline:
            raise DeployError(f"training job {job} still {status} after {timeout:.0f} s")
        time.sleep(poll)


def parse_env(items: list[str]) -> dict[str, str]:
    environment = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise DeployError(f"--env {item!r}: expected KEY=VALUE")
        environment[key] = value
    return environment


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="deploy_sagemaker.py", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("\n\n", 1)[1])
    parser.add_argument("--region", help="AWS region (default: the boto3 session's)")
    parser.add_argument("--endpoint-url", help="SageMaker/S3 API URL, e.g. a local moto server")
    commands = parser.add_subparsers(dest="command", required=True)

    deploy = commands.add_parser("deploy", help="create models + endpoint config, create or update the endpoint")
    deploy.add_argument("--endpoint", required=True)
    deploy.add_argument("--image", required=True, help="ECR image URI (scripts/push-ecr prints it)")
    deploy.add_argument("--role", required=True, help="SageMaker execution role ARN")
    deploy.add_argument("--variant", action="append", default=[], required=True, metavar="SPEC")
    deploy.add_argument("--shadow", metavar="SPEC", help="shadow variant (gets a copy of the traffic)")
    deploy.add_argument("--env", action="append", default=[], metavar="KEY=VALUE")
    deploy.add_argument("--suffix", help="name suffix for models and config (default: UTC timestamp)")
    deploy.add_argument("--startup-timeout", type=int, help="ContainerStartupHealthCheckTimeoutInSeconds (60-3600)")
    deploy.add_argument("--dry-run", action="store_true", help="print the calls as JSON, make none")
    deploy.add_argument("--wait", action="store_true")
    deploy.add_argument("--timeout", type=float, default=1800)

    weights = commands.add_parser("weights", help="change variant weights (and instance counts) in place")
    weights.add_argument("--endpoint", required=True)
    weights.add_argument("weights", nargs="+", metavar="VARIANT=WEIGHT[,count=N]")
    weights.add_argument("--wait", action="store_true")
    weights.add_argument("--timeout", type=float, default=1800)

    for name, text in (("describe", "print status and variant weights"), ("delete", "delete endpoint, config, models")):
        command = commands.add_parser(name, help=text)
        command.add_argument("--endpoint", required=True)
    commands.choices["delete"].add_argument("--keep-models", action="store_true")

    train = commands.add_parser("train", help="start a SageMaker training job with the image (IMAGE train)")
    train.add_argument("--job", required=True, help="training job name")
    train.add_argument("--image", required=True)
    train.add_argument("--role", required=True)
    train.add_argument("--train", required=True, metavar="S3URI", help="the train channel (an S3 prefix)")
    train.add_argument("--validation", metavar="S3URI", help="the validation channel (early stopping, metrics)")
    train.add_argument("--output", required=True, metavar="S3URI", help="S3OutputPath for model.tar.gz")
    train.add_argument("--hyperparameter", action="append", default=[], metavar="KEY=VALUE")
    train.add_argument("--content-type", default="text/csv", choices=["text/csv", "text/libsvm"])
    train.add_argument("--instance-type", default="ml.m5.xlarge")
    train.add_argument("--volume-gb", type=int, default=30)
    train.add_argument("--max-seconds", type=int, default=86400)
    train.add_argument("--checkpoint", metavar="S3URI", help="sync /opt/ml/checkpoints here (resumable jobs)")
    train.add_argument("--dry-run", action="store_true", help="print the request as JSON, make no call")
    train.add_argument("--wait", action="store_true")
    train.add_argument("--timeout", type=float, default=86400)

    up = commands.add_parser("upload", help="upload a model.tar.gz to S3")
    up.add_argument("path")
    up.add_argument("uri")
    return parser


def client(args: argparse.Namespace, service: str) -> Any:
    import boto3  # imported here so --help and --dry-run work without boto3

    return boto3.session.Session(region_name=args.region).client(service, endpoint_url=args.endpoint_url)


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    try:
        if args.command == "deploy":
            plan = build_plan(args.endpoint, args.image, args.role, [parse_variant(v) for v in args.variant],
                              parse_variant(args.shadow) if args.shadow else None, parse_env(args.env),
                              args.suffix, args.startup_timeout)
            if args.dry_run:
                print(json.dumps({"CreateModel": plan.models, "CreateEndpointConfig": plan.endpoint_config,
                                  "CreateOrUpdateEndpoint": {"EndpointName": plan.endpoint,
                                                             "EndpointConfigName": plan.endpoint_config["EndpointConfigName"]}},
                                 indent=2))
                return 0
            sm = client(args, "sagemaker")
            action = apply_plan(sm, plan)
            print(f"{action} endpoint {plan.endpoint} with config {plan.endpoint_config['EndpointConfigName']}")
            if args.wait:
                print(wait_in_service(sm, plan.endpoint, args.timeout))
        elif args.command == "weights":
            sm = client(args, "sagemaker")
            update_weights(sm, args.endpoint, [parse_weight(w) for w in args.weights])
            print(f"updating weights of {args.endpoint}")
            if args.wait:
                print(wait_in_service(sm, args.endpoint, args.timeout))
        elif args.command == "describe":
            print(json.dumps(summary(client(args, "sagemaker"), args.endpoint), indent=2, default=str))
        elif args.command == "delete":
            for name in delete(client(args, "sagemaker"), args.endpoint, args.keep_models):
                print(f"deleted {name}")
        elif args.command == "train":
            request = build_training_job(args.job, args.image, args.role, args.train, args.output, args.validation,
                                         parse_env(args.hyperparameter), args.content_type, args.instance_type,
                                         args.volume_gb, args.max_seconds, args.checkpoint)
            if args.dry_run:
                print(json.dumps({"CreateTrainingJob": request}, indent=2))
                return 0
            sm = client(args, "sagemaker")
            arn = sm.create_training_job(**request)["TrainingJobArn"]
            print(f"started training job {arn}")
            if args.wait:
                print(wait_training(sm, args.job, args.timeout))
        elif args.command == "upload":
            print(upload(client(args, "s3"), args.path, args.uri))
    except DeployError as error:
        print(f"deploy_sagemaker.py: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
