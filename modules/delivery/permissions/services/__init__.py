"""The table's rows, one module per AWS service (Terraform's grouping of resource types): each holds
the `PERMISSIONS` of the types of that service, data sources included."""
