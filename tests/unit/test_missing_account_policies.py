"""A plan that finds none of the account's CloudFront policies says what to do (issue 18: they belong
to `account-bootstrap`, applied by a person, and every distribution finds them by name)."""

from __future__ import annotations

from cli.errors import UserError
from cli.terraform import _explain_missing_account_policies

# What `terraform plan` of dev printed against an emulator without them (Terraform 1.11, provider 5.100.0).
PLAN_ERROR = """
Error: no matching CloudFront Cache Policy (matbakh-account-shared-cdn-api)

  with data.aws_cloudfront_cache_policy.cdn_policies_api_F8230C58,
  on cdk.tf.json line 1, in data.aws_cloudfront_cache_policy.cdn_policies_api_F8230C58:


Error: no matching CloudFront Cache Policy (matbakh-account-shared-cdn-static)

  with data.aws_cloudfront_cache_policy.cdn_policies_static_17776217,
  on cdk.tf.json line 1, in data.aws_cloudfront_cache_policy.cdn_policies_static_17776217:


Error: no matching CloudFront Origin Request Policy (matbakh-account-shared-cdn-api)

  with data.aws_cloudfront_origin_request_policy.cdn_policies_api_request_996BD332,
  on cdk.tf.json line 1, in data.aws_cloudfront_origin_request_policy.cdn_policies_api_request_996BD332:


Error: no matching CloudFront Response Headers Policy (matbakh-account-shared-cdn-security-headers)

  with data.aws_cloudfront_response_headers_policy.cdn_policies_security_headers_84EBD335,
  on cdk.tf.json line 1, in data.aws_cloudfront_response_headers_policy.cdn_policies_security_headers_84EBD335:
"""


def test_a_plan_missing_the_accounts_policies_names_them_and_the_bootstrap_that_makes_them() -> None:
    explained = _explain_missing_account_policies(UserError(PLAN_ERROR, exit_code=1), "dev")
    assert str(explained) == (
        "the plan of dev found no CloudFront policy named matbakh-account-shared-cdn-api, "
        "matbakh-account-shared-cdn-security-headers, matbakh-account-shared-cdn-static: the distribution "
        "uses the account's, which `account-bootstrap` creates (cdn_policies in environments/account.yaml); a "
        "person runs `make bootstrap ENV=account` first, then `make plan ENV=dev` again"
    )
    assert explained.exit_code == 1


def test_another_error_is_left_as_it_is() -> None:
    error = UserError("Error: creating S3 Bucket: BucketAlreadyExists", exit_code=1)
    assert _explain_missing_account_policies(error, "dev") is error
