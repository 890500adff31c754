"""Our checkov checks, one per file; checkov loads this folder with `--external-checks-dir`."""
