"""A CloudFront distribution with its assets and log buckets, WAF and edge alarms."""
