"""moto's Application Auto Scaling refuses the `elasticache` namespace and its replication-group
dimensions (`Replicas`, `NodeGroups`): its enums know them here.

Targets moto 5.2.1: re-check this patch when moto moves (tests/unit/test_emulator_patches.py).
"""

from __future__ import annotations

# Scalable dimensions (and their namespaces) that AWS has and moto 5.2.1's enums lack.
EXTRA_SCALABLE_DIMENSIONS = {
    "ELASTICACHE_REPLICATION_GROUP_REPLICAS": "elasticache:replication-group:Replicas",
    "ELASTICACHE_REPLICATION_GROUP_NODE_GROUPS": "elasticache:replication-group:NodeGroups",
}


def _application_auto_scaling_knows_elasticache() -> None:
    """moto 5.2.1's Application Auto Scaling refuses the `elasticache` namespace and its dimensions
    (`elasticache:replication-group:Replicas`, …) as outside its enums. Here both enums, which moto
    looks up by module name on every call, are replaced by ones with these members added."""
    from enum import Enum

    from moto.applicationautoscaling import models, responses

    dimensions = Enum(  # type: ignore[misc]
        "ScalableDimensionValueSet",
        {**{m.name: m.value for m in models.ScalableDimensionValueSet}, **EXTRA_SCALABLE_DIMENSIONS},
    )
    extra_namespaces = {value.split(":")[0] for value in EXTRA_SCALABLE_DIMENSIONS.values()}
    namespaces = Enum(  # type: ignore[misc]
        "ServiceNamespaceValueSet",
        {
            **{m.name: m.value for m in models.ServiceNamespaceValueSet},
            **{name.upper(): name for name in sorted(extra_namespaces)},
        },
    )
    models.ScalableDimensionValueSet = responses.ScalableDimensionValueSet = dimensions  # type: ignore[misc,assignment,attr-defined]
    models.ServiceNamespaceValueSet = responses.ServiceNamespaceValueSet = namespaces  # type: ignore[misc,assignment,attr-defined]
