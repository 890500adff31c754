"""moto's Application Auto Scaling has no tag calls and drops a target's `Tags`: they are kept
per scalable target (register, tag, untag, list), and go with it.

Targets moto 5.2.1: re-check this patch when moto moves (tests/unit/test_emulator_patches.py).
"""

from __future__ import annotations

import json


def _application_auto_scaling_keeps_tags() -> None:
    """moto 5.2.1's Application Auto Scaling has no tag calls (`ListTagsForResource` is a 500) and
    drops the `Tags` of `RegisterScalableTarget`; the provider reads a target's tags after creating
    it. Here tags are kept per scalable-target ARN, and go with the target."""
    from moto.applicationautoscaling.models import ApplicationAutoscalingBackend
    from moto.applicationautoscaling.responses import ApplicationAutoScalingResponse

    def store(backend: ApplicationAutoscalingBackend) -> dict[str, dict[str, str]]:
        tags: dict[str, dict[str, str]] = backend.__dict__.setdefault("_autoscale_tags", {})
        return tags

    register = ApplicationAutoScalingResponse.register_scalable_target
    deregister = ApplicationAutoscalingBackend.deregister_scalable_target

    def register_scalable_target(self: ApplicationAutoScalingResponse) -> str:
        answer: str = register(self)
        arn = json.loads(answer)["ScalableTargetARN"]
        store(self.applicationautoscaling_backend).setdefault(arn, {}).update(self._get_param("Tags") or {})
        return answer

    def deregister_scalable_target(
        self: ApplicationAutoscalingBackend, namespace: str, r_id: str, dimension: str
    ) -> None:
        target = self.targets.get(dimension, {}).get(r_id)
        deregister(self, namespace, r_id, dimension)
        if target is not None:
            store(self).pop(target.arn, None)

    def tag_resource(self: ApplicationAutoScalingResponse) -> str:
        tags = store(self.applicationautoscaling_backend).setdefault(self._get_param("ResourceARN"), {})
        tags.update(self._get_param("Tags") or {})
        return "{}"

    def untag_resource(self: ApplicationAutoScalingResponse) -> str:
        tags = store(self.applicationautoscaling_backend).setdefault(self._get_param("ResourceARN"), {})
        for key in self._get_param("TagKeys") or []:
            tags.pop(key, None)
        return "{}"

    def list_tags_for_resource(self: ApplicationAutoScalingResponse) -> str:
        return json.dumps({"Tags": store(self.applicationautoscaling_backend).get(self._get_param("ResourceARN"), {})})

    ApplicationAutoScalingResponse.register_scalable_target = register_scalable_target  # type: ignore[method-assign]
    ApplicationAutoscalingBackend.deregister_scalable_target = deregister_scalable_target  # type: ignore[method-assign]
    ApplicationAutoScalingResponse.tag_resource = tag_resource  # type: ignore[attr-defined]
    ApplicationAutoScalingResponse.untag_resource = untag_resource  # type: ignore[attr-defined]
    ApplicationAutoScalingResponse.list_tags_for_resource = list_tags_for_resource  # type: ignore[attr-defined]
