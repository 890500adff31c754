"""What every module shares: the strict base model, naming and tags, and the CDKTF adapter."""
