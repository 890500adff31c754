"""The base of every configuration model."""

from pydantic import BaseModel, ConfigDict


class StrictModel(BaseModel):
    """Frozen, and unknown keys are errors: a typo in YAML must never be silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)
