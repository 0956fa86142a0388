"""A pool's endpoint configuration: a boto3 dynamic provider.

pulumi-aws 7.51.1's EndpointConfiguration has no `vpc_config` and no `enable_network_isolation`,
but CreateEndpointConfig takes both (botocore's sagemaker service-2.json,
`CreateEndpointConfigInput`: `VpcConfig`, `EnableNetworkIsolation`), and for an endpoint of
inference components they belong there: terraform-provider-aws PRs #48738 and #48884 add them
to aws_sagemaker_endpoint_configuration "only for Inference Components endpoints", and the
SageMaker Python SDK sets them on the endpoint configuration of such an endpoint. So a pool's
configuration is created with boto3: everything pulumi-aws sent before, plus the stack's VPC and
the members' network isolation.

An endpoint configuration has no update call (every pulumi-aws argument is ForceNew): its name
carries a digest of its content (`modelops.aws.naming.pool_endpoint_config_name`), so any change
is a new configuration, created before the old one is deleted while the Endpoint moves to it
(UpdateEndpoint). Tags change in place (AddTags/DeleteTags), as they did with pulumi-aws.

Props: `region`, `name`, `configuration` (the rest of the CreateEndpointConfig request,
PascalCase as botocore takes it, without EndpointConfigName and Tags), `tags`; the output `arn`.
This module is imported by Pulumi's dynamic provider host to unpickle the provider: it must stay
free of import-time side effects.
"""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, ResourceProvider, UpdateResult

from components.providers import aws_clients
from components.providers.aws_call import aws_call, retag, tag_list

# Everything but the tags: none of it can change in place.
CONFIGURATION_KEYS = ("region", "name", "configuration")


class EndpointConfigurationError(Exception):
    """AWS refused a call; the message names the call, the configuration and AWS's answer."""


def _client(props: dict[str, Any]) -> Any:
    return aws_clients.client("sagemaker", props["region"])


def _call(client: Any, method: str, name: str, **request: Any) -> dict[str, Any]:
    return aws_call(client, method, request, name, EndpointConfigurationError)


def _not_found(exc: EndpointConfigurationError) -> bool:
    # SageMaker answers a missing configuration with a ValidationException "Could not find
    # endpoint configuration" (terraform-provider-aws, sagemaker/endpoint_configuration.go).
    return "Could not find" in str(exc) or ": ResourceNotFound:" in str(exc)


def create_request(props: dict[str, Any]) -> dict[str, Any]:
    """The CreateEndpointConfig request of the props."""
    request = {"EndpointConfigName": props["name"], **props["configuration"]}
    if props.get("tags"):
        request["Tags"] = tag_list(props["tags"])
    return request


class PoolEndpointConfigurationProvider(ResourceProvider):
    serialize_as_secret_always = False

    def create(self, props: dict[str, Any]) -> CreateResult:
        response = _call(_client(props), "create_endpoint_config", props["name"], **create_request(props))
        return CreateResult(props["name"], {**props, "arn": response["EndpointConfigArn"]})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        try:
            described = _call(_client(props), "describe_endpoint_config", id_, EndpointConfigName=id_)
        except EndpointConfigurationError as exc:
            if _not_found(exc):
                return ReadResult(None, {})  # deleted outside Pulumi: the engine drops it from state
            raise
        configuration = {k: described[k] for k in props.get("configuration") or {} if k in described}
        outs = {
            **props,
            "name": described["EndpointConfigName"],
            "configuration": configuration,
            "arn": described["EndpointConfigArn"],
        }
        return ReadResult(id_, outs)

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        replaces = [key for key in CONFIGURATION_KEYS if olds.get(key) != news.get(key)]
        tags_changed = (olds.get("tags") or {}) != (news.get("tags") or {})
        return DiffResult(
            changes=bool(replaces) or tags_changed,
            replaces=replaces,
            stables=[],
            # The name carries a digest of the configuration, so a changed one has a new name
            # and is created first; only a name that stays (a region change) cannot exist twice.
            delete_before_replace=bool(replaces) and olds.get("name") == news.get("name"),
        )

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """Only tags reach here (every other change replaces)."""
        retag(_client(news), olds["arn"], olds.get("tags"), news.get("tags"), id_, EndpointConfigurationError)
        return UpdateResult({**news, "arn": olds["arn"]})

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        try:
            _call(_client(props), "delete_endpoint_config", id_, EndpointConfigName=id_)
        except EndpointConfigurationError as exc:
            if not _not_found(exc):
                raise


class PoolEndpointConfiguration(pulumi.dynamic.Resource, module="sagemaker", name="PoolEndpointConfiguration"):
    arn: pulumi.Output[str]
    name: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        *,
        region: str,
        name: str,
        configuration: dict[str, Any],
        tags: dict[str, str],
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__(
            PoolEndpointConfigurationProvider(),
            resource_name,
            {"region": region, "name": name, "configuration": configuration, "tags": tags, "arn": None},
            opts,
        )
