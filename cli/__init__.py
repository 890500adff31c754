"""The command line: the only code that touches files, processes and the environment."""
