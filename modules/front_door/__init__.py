"""The API's entry point: a function URL (IAM auth) per routed function, reachable only through the CDN."""
