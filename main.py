"""Synthesize the Terraform JSON of every environment: `python main.py [--env ENV] [--force]`."""

from cli.synth import run

if __name__ == "__main__":
    run()
