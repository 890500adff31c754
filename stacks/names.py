"""The two stacks of a stack set, by name (cheap to import: the CLI's fast path checks them)."""


def bootstrap_stack_name(stack_set: str) -> str:
    """The stack that holds the set's state bucket (and CI roles), applied with local state."""
    return f"{stack_set}-bootstrap"


def main_stack_name(stack_set: str) -> str:
    """The stack of everything else, with its state in the bootstrap stack's bucket."""
    return stack_set


def stack_names(stack_set: str) -> list[str]:
    """Both stacks of the set, in the order they are applied."""
    return [bootstrap_stack_name(stack_set), main_stack_name(stack_set)]


def stack_set_of(stack: str) -> str:
    """The stack set a stack belongs to (`dev-bootstrap` → `dev`, `dev` → `dev`)."""
    return stack.removesuffix(bootstrap_stack_name(""))
