"""Lambda: provisioned concurrency (alias targets and configs), requests and duration, X-Ray traces."""

from __future__ import annotations

from collections.abc import Iterator

from cli.cost.lines import Line, fixed, meter, usage
from cli.cost.pricers.base import Context, pricer
from cli.cost.prices import Architecture
from cli.cost.stack import StackIndex, _first_block, _number

# Lambda's active tracing samples as X-Ray's default rule does: the first request each second (the
# reservoir) and 5 % of the others (https://docs.aws.amazon.com/xray/latest/devguide/xray-console-sampling.html).
XRAY_RESERVOIR_PER_SECOND = 1
XRAY_FIXED_RATE = 0.05


def function_memory_gb(stack: StackIndex, function_name: str) -> tuple[float, Architecture]:
    function = stack.get("aws_lambda_function", function_name) or {}
    architecture = (function.get("architectures") or ["x86_64"])[0]
    return _number(function.get("memory_size"), 128) / 1024, "arm64" if architecture == "arm64" else "x86_64"


def with_provisioned_concurrency(stack: StackIndex) -> set[str]:
    """The functions with provisioned concurrency: on an alias an autoscaling target scales, or configured."""
    return {
        name
        for bound in stack.scaling
        if bound.scales.startswith("aws_lambda_alias.")
        for name in stack.referenced(bound.scales, "function_name", "aws_lambda_function")
    } | {
        name
        for address, _ in stack.of("aws_lambda_provisioned_concurrency_config")
        for name in stack.referenced(address, "function_name", "aws_lambda_function")
    }


@pricer("aws_lambda_alias", "aws_lambda_provisioned_concurrency_config")
def provisioned_concurrency(context: Context) -> Iterator[Line]:
    stack, prices, hours = context.stack, context.prices, context.hours
    seconds = hours * 3600
    for bound in stack.scaling:
        if not bound.scales.startswith("aws_lambda_alias."):
            continue
        functions = stack.referenced(bound.scales, "function_name", "aws_lambda_function")
        memory_gb, architecture = function_memory_gb(stack, functions[0] if functions else "")
        rate = prices.lambda_.provisioned_concurrency_gb_second.of(architecture).usd
        per_unit = memory_gb * seconds * rate
        yield fixed(
            bound.scales,
            "lambda",
            "Lambda provisioned concurrency",
            bound.average_min * per_unit,
            bound.average_max * per_unit,
            f"provisioned concurrency {bound.min}–{bound.max} (average minimum {bound.average_min:.2f}, "
            f"average maximum {bound.average_max:.2f} with windows) × {memory_gb:g} GB {architecture} × "
            f"{hours:g} h at {rate} USD/GB-s",
            f"lambda.provisioned_concurrency_gb_second.{architecture}",
        )
    for address, config in stack.of("aws_lambda_provisioned_concurrency_config"):
        functions = stack.referenced(address, "function_name", "aws_lambda_function")
        memory_gb, architecture = function_memory_gb(stack, functions[0] if functions else "")
        rate = prices.lambda_.provisioned_concurrency_gb_second.of(architecture).usd
        units = _number(config.get("provisioned_concurrent_executions"))
        cost = units * memory_gb * seconds * rate
        yield fixed(
            address,
            "lambda",
            "Lambda provisioned concurrency",
            cost,
            cost,
            f"{units:g} × {memory_gb:g} GB",
            f"lambda.provisioned_concurrency_gb_second.{architecture}",
        )


@pricer("aws_lambda_function")
def requests_and_duration(context: Context) -> Iterator[Line]:
    """The usage part: the environment's requests spread evenly over the functions; the function
    itself is free (the price table says so), with no fixed line."""
    stack, prices, assumed = context.stack, context.prices, context.usage
    functions = stack.of("aws_lambda_function")
    with_pc = with_provisioned_concurrency(stack)
    lam = prices.lambda_
    seconds = context.hours * 3600
    traces_usd = prices.xray.traces_recorded_per_million.usd / 1e6
    for address, function in functions:
        name = address.split(".", 1)[1]
        requests = assumed.requests_per_month / len(functions)
        memory_gb, architecture = function_memory_gb(stack, name)
        provisioned = name in with_pc
        table, figure = (
            (lam.duration_with_provisioned_concurrency_gb_second, "duration_with_provisioned_concurrency_gb_second")
            if provisioned
            else (lam.duration_gb_second, "duration_gb_second")
        )
        rate = table.of(architecture).usd
        gb_seconds = requests * assumed.average_duration_ms / 1000 * memory_gb
        request_usd = lam.requests_per_million.usd / 1e6
        yield usage(
            address,
            "lambda",
            "Lambda requests and duration",
            requests * request_usd + gb_seconds * rate,
            f"{requests:,.0f} requests × {assumed.average_duration_ms:g} ms × {memory_gb:g} GB at {rate}",
            "lambda.requests_per_million",
            f"lambda.{figure}.{architecture}",
        )
        if not provisioned:  # the free tier does not cover functions with provisioned concurrency
            yield from meter("lambda_requests", address, requests, request_usd)
            yield from meter("lambda_gb_seconds", address, gb_seconds, rate)
        if str(_first_block(function.get("tracing_config")).get("mode", "")) == "Active":
            reservoir = min(requests, XRAY_RESERVOIR_PER_SECOND * seconds)
            traces = reservoir + XRAY_FIXED_RATE * (requests - reservoir)
            yield usage(
                f"{address}#xray",
                "xray",
                "X-Ray traces",
                traces * traces_usd,
                f"{traces:,.0f} traces recorded (active tracing: {XRAY_RESERVOIR_PER_SECOND} a second, then "
                f"{XRAY_FIXED_RATE:.0%} of {requests:,.0f} requests)",
                "xray.traces_recorded_per_million",
            )
            yield from meter("xray_traces_recorded", f"{address}#xray", traces, traces_usd)
