"""moto drops a Lambda function's `KMSKeyArn` and `DeadLetterConfig`: both are kept (create,
update) and returned here.

Targets moto 5.2.1: re-check this patch when moto moves (tests/unit/test_emulator_patches.py).
"""

from __future__ import annotations

from typing import Any


def _lambda_functions_echo_their_kms_key() -> None:
    """moto 5.2.1 drops a function's `KMSKeyArn` (the key of its environment variables): it is
    neither kept on create or update nor returned, so every second plan updated each function.
    Here it is kept and returned in the function's configuration."""
    from moto.awslambda.models import LambdaFunction

    initialize = LambdaFunction.__init__
    update = LambdaFunction.update_configuration
    configuration = LambdaFunction.get_configuration

    def init(self: LambdaFunction, account_id: str, spec: dict[str, Any], *args: Any, **kwargs: Any) -> None:
        initialize(self, account_id, spec, *args, **kwargs)
        self.__dict__["kms_key_arn"] = spec.get("KMSKeyArn") or None

    def update_configuration(self: LambdaFunction, config_updates: dict[str, Any]) -> dict[str, Any]:
        if "KMSKeyArn" in config_updates:
            self.__dict__["kms_key_arn"] = config_updates["KMSKeyArn"] or None
        return update(self, config_updates)

    def get_configuration(self: LambdaFunction, on_create: bool = False) -> dict[str, Any]:
        config = configuration(self, on_create)
        if self.__dict__.get("kms_key_arn"):
            config["KMSKeyArn"] = self.__dict__["kms_key_arn"]
        return config

    LambdaFunction.__init__ = init  # type: ignore[method-assign]
    LambdaFunction.update_configuration = update_configuration  # type: ignore[method-assign]
    LambdaFunction.get_configuration = get_configuration  # type: ignore[method-assign]


def _lambda_functions_echo_their_dead_letter_target() -> None:
    """moto 5.2.1 drops a function's `DeadLetterConfig`: neither kept on create or update nor
    returned, so every second plan updated each function (and its alias). Here it is kept and
    returned in the function's configuration."""
    from moto.awslambda.models import LambdaFunction

    initialize = LambdaFunction.__init__
    update = LambdaFunction.update_configuration
    configuration = LambdaFunction.get_configuration

    def init(self: LambdaFunction, account_id: str, spec: dict[str, Any], *args: Any, **kwargs: Any) -> None:
        initialize(self, account_id, spec, *args, **kwargs)
        self.__dict__["dead_letter_target"] = (spec.get("DeadLetterConfig") or {}).get("TargetArn") or None

    def update_configuration(self: LambdaFunction, config_updates: dict[str, Any]) -> dict[str, Any]:
        if "DeadLetterConfig" in config_updates:
            target = (config_updates["DeadLetterConfig"] or {}).get("TargetArn")
            self.__dict__["dead_letter_target"] = target or None
        return update(self, config_updates)

    def get_configuration(self: LambdaFunction, on_create: bool = False) -> dict[str, Any]:
        config = configuration(self, on_create)
        if self.__dict__.get("dead_letter_target"):
            config["DeadLetterConfig"] = {"TargetArn": self.__dict__["dead_letter_target"]}
        return config

    LambdaFunction.__init__ = init  # type: ignore[method-assign]
    LambdaFunction.update_configuration = update_configuration  # type: ignore[method-assign]
    LambdaFunction.get_configuration = get_configuration  # type: ignore[method-assign]
